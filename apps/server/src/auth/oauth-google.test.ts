// Google's parsing, through arctic's client and fetch, against Google's answers (the shapes of its
// OpenID Connect documentation) played by a local server: the code exchange with PKCE, and the ID
// token verified against the JWKS — issuer, audience, nonce, expiry and signature.
import { afterAll, describe, expect, it } from "vitest";
import { generateRsaSigningKey } from "../../../../scripts/lib/local-oidc-provider.ts";
import { signJwt } from "../../../../tests/setup/oidc.ts";
import { startRecordedProvider, type RecordedAnswer } from "../../../../tests/setup/recorded-provider.ts";
import { createGoogleProvider } from "./oauth-google.ts";
import type { OAuthAuthorization } from "./oauth-provider.ts";

const CLIENT_ID = "407408718192.apps.googleusercontent.com";
const REDIRECT_URI = "http://localhost:5173/auth/oauth/google/callback";
const GOOGLE_ISSUER = "https://accounts.google.com";
const googleKey = generateRsaSigningKey();
const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...googlePublicKey } = googleKey;

const authorization: OAuthAuthorization = { state: "state-1", codeVerifier: "verifier-0123456789-0123456789-0123456789-0123", nonce: "nonce-1", forceLogin: false };

function idTokenClaims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: GOOGLE_ISSUER,
    azp: CLIENT_ID,
    aud: CLIENT_ID,
    sub: "110169484474386276334",
    email: "ada.lovelace@gmail.com",
    email_verified: true,
    at_hash: "HK6E_P6Dh8Y93mRNtsDB1Q",
    nonce: authorization.nonce,
    name: "Ada Lovelace",
    picture: "https://lh3.googleusercontent.com/a/photo.jpg",
    given_name: "Ada",
    family_name: "Lovelace",
    iat: now,
    exp: now + 3599,
    ...overrides,
  };
}

function tokenAnswer(idToken: string): RecordedAnswer {
  return {
    json: {
      access_token: "ya29.a0AfB_byC-test-access-token",
      expires_in: 3599,
      scope: "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
      token_type: "Bearer",
      id_token: idToken,
    },
  };
}

let answerToken = (): RecordedAnswer => tokenAnswer(signJwt(idTokenClaims(), googleKey));
const google = await startRecordedProvider({
  "POST /token": () => answerToken(),
  "GET /oauth2/v3/certs": () => ({ json: { keys: [googlePublicKey] } }),
});
afterAll(() => google.close());

const provider = createGoogleProvider(
  { clientId: CLIENT_ID, clientSecret: "google-test-secret", redirectUri: REDIRECT_URI, timeoutMs: 5_000 },
  { issuer: GOOGLE_ISSUER, authorization: `${google.url}/o/oauth2/v2/auth`, token: `${google.url}/token`, jwks: `${google.url}/oauth2/v3/certs` },
);
const callback = new URL(`${REDIRECT_URI}?code=4%2F0AfJohXn-test&state=state-1`);

async function fetchIdentityWith(idToken: string) {
  answerToken = () => tokenAnswer(idToken);
  return provider.fetchIdentity(callback, authorization);
}

describe("Google", () => {
  it("asks for openid, email and profile with PKCE (S256), state and nonce; sudo mode demands a fresh login", async () => {
    const url = await provider.createAuthorizationUrl(authorization);
    expect(Object.fromEntries(url!.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: "state-1",
      nonce: "nonce-1",
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    const sudo = await provider.createAuthorizationUrl({ ...authorization, forceLogin: true });
    expect(sudo!.searchParams.get("prompt")).toBe("login");
    expect(sudo!.searchParams.get("max_age")).toBe("0");
  });

  it("reads the verified identity from a valid ID token, sending the verifier with the code", async () => {
    google.requests.length = 0;
    expect(await fetchIdentityWith(signJwt(idTokenClaims(), googleKey))).toEqual({
      ok: true,
      identity: { accountId: "110169484474386276334", email: "ada.lovelace@gmail.com", emailVerified: true, name: "Ada Lovelace" },
    });
    const tokenRequest = google.requests.find((request) => request.path === "/token")!;
    expect(new URLSearchParams(tokenRequest.body).get("code_verifier")).toBe(authorization.codeVerifier);
  });

  it("passes on an unverified email as unverified", async () => {
    const result = await fetchIdentityWith(signJwt(idTokenClaims({ email_verified: false }), googleKey));
    expect(result.ok && result.identity.emailVerified).toBe(false);
  });

  it.each([
    ["another nonce", idTokenClaims({ nonce: "nonce-of-another-flow" })],
    ["another audience", idTokenClaims({ aud: "someone-else.apps.googleusercontent.com", azp: "someone-else.apps.googleusercontent.com" })],
    ["an expired token", idTokenClaims({ iat: 1_700_000_000, exp: 1_700_003_599 })],
  ])("refuses an ID token with %s", async (_label, claims) => {
    expect(await fetchIdentityWith(signJwt(claims, googleKey))).toEqual({ ok: false, failure: "id_token_invalid" });
  });

  it("refuses an ID token from another issuer (mix-up)", async () => {
    expect(await fetchIdentityWith(signJwt(idTokenClaims({ iss: "https://accounts.evil.example" }), googleKey))).toEqual({
      ok: false,
      failure: "id_token_invalid",
    });
  });

  it("refuses an ID token signed by a key not in Google's JWKS", async () => {
    expect(await fetchIdentityWith(signJwt(idTokenClaims(), generateRsaSigningKey(), googleKey.kid))).toEqual({ ok: false, failure: "id_token_invalid" });
  });

  it("reports a refused code (invalid_grant) and a server error apart", async () => {
    answerToken = () => ({ status: 400, json: { error: "invalid_grant", error_description: "Bad Request" } });
    expect(await provider.fetchIdentity(callback, authorization)).toEqual({ ok: false, failure: "code_rejected" });
    answerToken = () => ({ status: 503, json: {} });
    expect(await provider.fetchIdentity(callback, authorization)).toEqual({ ok: false, failure: "provider_unavailable" });
  });
});
