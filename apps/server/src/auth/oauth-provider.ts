// What every sign-in provider offers the OAuth routes (oauth-routes.ts), and the providers this
// server has configured. Add a provider: a module like oauth-github.ts, a config block in env.ts,
// one line in createOAuthProviders (docs/extending.md).
import { createGitHubProvider } from "./oauth-github.ts";
import { createGoogleProvider } from "./oauth-google.ts";
import { createOidcProvider } from "./oauth-oidc.ts";

/** Who the provider says signed in. `accountId` is its stable id for the person, never the email. */
export interface OAuthIdentity {
  accountId: string;
  email: string | null;
  /** The provider asserts that the person controls `email`. */
  emailVerified: boolean;
  name: string | null;
}

/** Why a callback failed; the sign-in or account page shows a message for each. */
export type OAuthFailure =
  /** The person declined at the provider. */
  | "access_denied"
  /** The provider answered the authorization with another error. */
  | "provider_error"
  /** No state cookie (expired, another browser) or a state that differs: possibly forged. */
  | "state_mismatch"
  /** The provider refused the code: expired, already used, or not issued to us. */
  | "code_rejected"
  /** The ID token failed verification: signature, issuer, audience, expiry or nonce. */
  | "id_token_invalid"
  /** The provider could not be reached or answered with a server error. */
  | "provider_unavailable"
  /** The provider shared no email address it has verified. */
  | "email_unverified"
  /** An account with this email exists and the policy does not link it by itself. */
  | "account_exists"
  /** Too many new accounts from this IP address (RATE_LIMIT_SIGN_UPS_PER_IP). */
  | "sign_up_limited"
  /** This provider identity already signs in to another account. */
  | "identity_taken"
  /** The account already has another identity of this provider. */
  | "provider_already_linked"
  /** Re-authentication came back with an identity not linked to the signed-in user. */
  | "identity_mismatch"
  /** Linking needs a recent sign-in (sudo mode). */
  | "reauthentication_required"
  /** Linking or re-authentication started without, or returned to another, session. */
  | "session_required";

export type OAuthIdentityResult = { ok: true; identity: OAuthIdentity } | { ok: false; failure: OAuthFailure };

/** What a flow carries from the start to the callback (the state cookie holds it). */
export interface OAuthAuthorization {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** Sudo mode: ask the provider to authenticate the person again rather than reuse its session. */
  forceLogin: boolean;
}

export interface OAuthProvider {
  /** The path segment in /auth/oauth/:provider and the OAuthAccount.provider column. */
  id: string;
  /** Shown on buttons: "Sign in with {name}". */
  name: string;
  createAuthorizationUrl(authorization: OAuthAuthorization): Promise<URL | null>;
  /** Exchanges the callback's code (its state already checked) and reads the identity. */
  fetchIdentity(callbackUrl: URL, authorization: OAuthAuthorization): Promise<OAuthIdentityResult>;
}

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
}

export interface OAuthConfig {
  /** `verified-email`: a provider identity whose verified email matches a user joins that user. */
  autoLink: "never" | "verified-email";
  github: OAuthClientConfig | null;
  google: OAuthClientConfig | null;
  /** Any OpenID Connect provider, found through discovery from its issuer. */
  oidc: (OAuthClientConfig & { issuer: string; name: string }) | null;
}

// How long a provider request may take before the person is told the provider is unavailable.
const PROVIDER_TIMEOUT_MS = 10_000;

export type OAuthProviders = ReadonlyMap<string, OAuthProvider>;

export function getOAuthCallbackUrl(appOrigin: string, providerId: string): string {
  return `${appOrigin}/auth/oauth/${providerId}/callback`;
}

const providersByConfig = new WeakMap<OAuthConfig, OAuthProviders>();

/** The configured providers, in button order: one set per configuration, so discovery is cached once. */
export function getOAuthProviders(config: OAuthConfig, appOrigin: string): OAuthProviders {
  let providers = providersByConfig.get(config);
  if (!providers) {
    providers = createOAuthProviders(config, appOrigin);
    providersByConfig.set(config, providers);
  }
  return providers;
}

function createOAuthProviders(config: OAuthConfig, appOrigin: string): OAuthProviders {
  const providers: OAuthProvider[] = [];
  const redirectUri = (id: string) => getOAuthCallbackUrl(appOrigin, id);
  if (config.github) providers.push(createGitHubProvider({ ...config.github, redirectUri: redirectUri("github"), timeoutMs: PROVIDER_TIMEOUT_MS }));
  if (config.google) providers.push(createGoogleProvider({ ...config.google, redirectUri: redirectUri("google"), timeoutMs: PROVIDER_TIMEOUT_MS }));
  if (config.oidc) providers.push(createOidcProvider({ ...config.oidc, redirectUri: redirectUri("oidc"), timeoutMs: PROVIDER_TIMEOUT_MS }));
  return new Map(providers.map((provider) => [provider.id, provider]));
}
