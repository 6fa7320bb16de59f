// Verifies the ID token in a token endpoint response, for every OpenID Connect provider (Google
// through arctic, any other through oauth4webapi): issuer, audience, expiry, issued-at, nonce,
// authorized party, auth_time for sudo mode, and the signature against the provider's JWKS.
import * as oauth from "oauth4webapi";
import type { OAuthAuthorization, OAuthIdentityResult } from "./oauth-provider.ts";
import { classifyProviderError } from "./oauth-provider-error.ts";

export type IdTokenResult = { ok: true; claims: oauth.IDToken; response: oauth.TokenEndpointResponse } | Extract<OAuthIdentityResult, { ok: false }>;

/**
 * `tokenResponse` is the token endpoint's answer (a fresh Response: its body is read here).
 * oauth4webapi checks the claims while processing it, and the signature only when asked:
 * OIDC Core lets a client trust TLS instead, but we never do (docs/decisions/016).
 */
export async function verifyIdTokenResponse(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  tokenResponse: Response,
  authorization: Pick<OAuthAuthorization, "nonce" | "forceLogin">,
  options: oauth.ValidateSignatureOptions,
): Promise<IdTokenResult> {
  let response: oauth.TokenEndpointResponse;
  try {
    response = await oauth.processAuthorizationCodeResponse(as, client, tokenResponse, {
      expectedNonce: authorization.nonce,
      requireIdToken: true,
      // Sudo mode asked for max_age=0: the login must be fresh (auth_time within the clock skew).
      ...(authorization.forceLogin ? { maxAge: 0 } : {}),
    });
  } catch (error) {
    return { ok: false, failure: classifyProviderError(error) };
  }
  try {
    await oauth.validateApplicationLevelSignature(as, tokenResponse, options);
  } catch (error) {
    // A key we cannot find or a signature that does not verify; fetching the JWKS may also fail.
    const invalid = error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError;
    return { ok: false, failure: invalid ? "id_token_invalid" : "provider_unavailable" };
  }
  const claims = oauth.getValidatedIdTokenClaims(response);
  if (!claims) return { ok: false, failure: "id_token_invalid" };
  return { ok: true, claims, response };
}

/** The identity claims of an ID token or a userinfo answer. */
export function readIdentityClaims(claims: Record<string, unknown>): { email: string | null; emailVerified: boolean; name: string | null } {
  const email = typeof claims.email === "string" ? claims.email : null;
  // Some providers send "true" as a string; only an explicit true counts.
  const emailVerified = claims.email_verified === true || claims.email_verified === "true";
  const name = typeof claims.name === "string" ? claims.name : typeof claims.preferred_username === "string" ? claims.preferred_username : null;
  return { email, emailVerified: email !== null && emailVerified, name };
}
