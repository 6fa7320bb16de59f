// Sign in with Google (OpenID Connect): arctic's OAuth2Client with PKCE for the code, then the ID
// token verified like any OIDC provider's (oauth-id-token.ts), against Google's JWKS.
// arctic 3.7's Google class hard-codes its endpoints and calls the global fetch; its generic client
// takes them per call, which lets tests point it at a local server.
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import * as oauth from "oauth4webapi";
import type { OAuthAuthorization, OAuthClientConfig, OAuthIdentityResult, OAuthProvider } from "./oauth-provider.ts";
import { readIdentityClaims, verifyIdTokenResponse } from "./oauth-id-token.ts";
import { classifyProviderError, withTimeout } from "./oauth-provider-error.ts";

export const GOOGLE_ENDPOINTS = {
  issuer: "https://accounts.google.com",
  authorization: "https://accounts.google.com/o/oauth2/v2/auth",
  token: "https://oauth2.googleapis.com/token",
  jwks: "https://www.googleapis.com/oauth2/v3/certs",
};
export type GoogleEndpoints = typeof GOOGLE_ENDPOINTS;

const SCOPES = ["openid", "email", "profile"];

export function createGoogleProvider(
  config: OAuthClientConfig & { redirectUri: string; timeoutMs: number },
  endpoints: GoogleEndpoints = GOOGLE_ENDPOINTS,
): OAuthProvider {
  const client = new OAuth2Client(config.clientId, config.clientSecret, config.redirectUri);
  const as: oauth.AuthorizationServer = {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    jwks_uri: endpoints.jwks,
  };
  const verifier: oauth.Client = { client_id: config.clientId };
  // Only a test's local stand-in serves plain HTTP; Google's endpoints are HTTPS.
  const signatureOptions = {
    [oauth.allowInsecureRequests]: new URL(endpoints.jwks).protocol === "http:",
    signal: () => AbortSignal.timeout(config.timeoutMs),
  };

  return {
    id: "google",
    name: "Google",
    async createAuthorizationUrl({ state, codeVerifier, nonce, forceLogin }) {
      const url = client.createAuthorizationURLWithPKCE(endpoints.authorization, state, CodeChallengeMethod.S256, codeVerifier, SCOPES);
      url.searchParams.set("nonce", nonce);
      if (forceLogin) {
        url.searchParams.set("prompt", "login");
        url.searchParams.set("max_age", "0");
      }
      return url;
    },

    async fetchIdentity(callbackUrl: URL, authorization: OAuthAuthorization): Promise<OAuthIdentityResult> {
      const code = callbackUrl.searchParams.get("code");
      if (!code) return { ok: false, failure: "provider_error" };
      let body: object;
      try {
        body = (await withTimeout(client.validateAuthorizationCode(endpoints.token, code, authorization.codeVerifier), config.timeoutMs)).data;
      } catch (error) {
        return { ok: false, failure: classifyProviderError(error) };
      }
      const tokenResponse = new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
      const verified = await verifyIdTokenResponse(as, verifier, tokenResponse, authorization, signatureOptions);
      if (!verified.ok) return verified;
      return { ok: true, identity: { accountId: verified.claims.sub, ...readIdentityClaims(verified.claims) } };
    },
  };
}
