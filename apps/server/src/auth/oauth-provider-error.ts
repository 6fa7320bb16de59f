// Turns what the OAuth client libraries throw (arctic for GitHub and Google, oauth4webapi for
// OpenID Connect) into the failure the person is shown. Anything unrecognised counts as the
// provider being unavailable: a network error, a timeout, or an answer we cannot read.
import { OAuth2RequestError, UnexpectedErrorResponseBodyError, UnexpectedResponseError } from "arctic";
import * as oauth from "oauth4webapi";
import type { OAuthFailure } from "./oauth-provider.ts";

const SERVER_ERROR_STATUS = 500;

// Checks of the ID token itself (RFC 7519, OIDC Core §3.1.3.7).
const ID_TOKEN_CHECKS: ReadonlySet<string> = new Set([
  oauth.JWT_CLAIM_COMPARISON,
  oauth.JWT_TIMESTAMP_CHECK,
  oauth.KEY_SELECTION,
  oauth.PARSE_ERROR,
]);

export function classifyProviderError(error: unknown): OAuthFailure {
  // The token endpoint refused the grant (invalid_grant: expired, replayed or foreign code).
  if (error instanceof OAuth2RequestError) return "code_rejected";
  if (error instanceof oauth.ResponseBodyError) return error.status >= SERVER_ERROR_STATUS ? "provider_unavailable" : "code_rejected";
  if (error instanceof UnexpectedResponseError || error instanceof UnexpectedErrorResponseBodyError) {
    return error.status >= SERVER_ERROR_STATUS ? "provider_unavailable" : "provider_error";
  }
  if (error instanceof oauth.OperationProcessingError && ID_TOKEN_CHECKS.has(error.code ?? "")) return "id_token_invalid";
  if (error instanceof oauth.WWWAuthenticateChallengeError || error instanceof oauth.UnsupportedOperationError) return "provider_error";
  return "provider_unavailable";
}

/** `promise`, or a rejection after `ms`: arctic takes no AbortSignal, and a provider may hang. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the provider within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
