// Sign in with any OpenID Connect provider (Keycloak, Auth0, Okta, Microsoft Entra, the local
// oidc-provider of `pnpm dev`...) through oauth4webapi: discovery from OIDC_ISSUER, the code flow
// with PKCE, state and nonce, the ID token verified (oauth-id-token.ts), userinfo for missing claims.
import * as oauth from "oauth4webapi";
import type { OAuthAuthorization, OAuthClientConfig, OAuthIdentityResult, OAuthProvider } from "./oauth-provider.ts";
import { readIdentityClaims, verifyIdTokenResponse } from "./oauth-id-token.ts";
import { classifyProviderError } from "./oauth-provider-error.ts";

const SCOPE = "openid email profile";
// How long discovered metadata is reused before it is fetched again.
const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;

export function createOidcProvider(
  config: OAuthClientConfig & { issuer: string; name: string; redirectUri: string; timeoutMs: number },
): OAuthProvider {
  const issuer = new URL(config.issuer);
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth = oauth.ClientSecretBasic(config.clientSecret);
  // env.ts allows plain HTTP only for an issuer on loopback (the local development provider).
  const requestOptions = {
    [oauth.allowInsecureRequests]: issuer.protocol === "http:",
    signal: () => AbortSignal.timeout(config.timeoutMs),
  };
  let discovered: { as: oauth.AuthorizationServer; at: number } | null = null;

  /** The provider's metadata, fetched on first use and hourly after; null while it cannot be reached. */
  async function getAuthorizationServer(): Promise<oauth.AuthorizationServer | null> {
    if (discovered && Date.now() - discovered.at < DISCOVERY_MAX_AGE_MS) return discovered.as;
    try {
      const response = await oauth.discoveryRequest(issuer, { ...requestOptions, algorithm: "oidc" });
      discovered = { as: await oauth.processDiscoveryResponse(issuer, response), at: Date.now() };
      return discovered.as;
    } catch {
      return null;
    }
  }

  async function fetchIdentity(callbackUrl: URL, authorization: OAuthAuthorization): Promise<OAuthIdentityResult> {
    const as = await getAuthorizationServer();
    if (!as) return { ok: false, failure: "provider_unavailable" };
    let tokenResponse: Response;
    try {
      // Checks state again and, where the provider sends it, the `iss` parameter (RFC 9207).
      const parameters = oauth.validateAuthResponse(as, client, callbackUrl, authorization.state);
      tokenResponse = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        parameters,
        config.redirectUri,
        authorization.codeVerifier,
        requestOptions,
      );
    } catch (error) {
      return { ok: false, failure: error instanceof oauth.AuthorizationResponseError ? "provider_error" : classifyProviderError(error) };
    }
    const verified = await verifyIdTokenResponse(as, client, tokenResponse, authorization, requestOptions);
    if (!verified.ok) return verified;
    let claims: Record<string, unknown> = verified.claims;
    // Providers may keep profile claims out of the ID token (oidc-provider does for the code flow).
    if (typeof claims.email !== "string") {
      try {
        const response = await oauth.userInfoRequest(as, client, verified.response.access_token, requestOptions);
        // The answer must be about the same subject as the ID token.
        claims = { ...(await oauth.processUserInfoResponse(as, client, verified.claims.sub, response)), sub: verified.claims.sub };
      } catch (error) {
        return { ok: false, failure: classifyProviderError(error) };
      }
    }
    return { ok: true, identity: { accountId: verified.claims.sub, ...readIdentityClaims(claims) } };
  }

  return {
    id: "oidc",
    name: config.name,
    async createAuthorizationUrl({ state, codeVerifier, nonce, forceLogin }) {
      const as = await getAuthorizationServer();
      if (!as?.authorization_endpoint) return null;
      const url = new URL(as.authorization_endpoint);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", config.clientId);
      url.searchParams.set("redirect_uri", config.redirectUri);
      url.searchParams.set("scope", SCOPE);
      url.searchParams.set("state", state);
      url.searchParams.set("nonce", nonce);
      url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
      url.searchParams.set("code_challenge_method", "S256");
      if (forceLogin) {
        url.searchParams.set("prompt", "login");
        url.searchParams.set("max_age", "0");
      }
      return url;
    },
    fetchIdentity,
  };
}
