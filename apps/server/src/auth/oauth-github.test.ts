// GitHub's parsing, through arctic's client and fetch, against GitHub's answers (the shapes of its
// REST API documentation's examples) played by a local server: the code exchange with PKCE and
// client credentials, the user, and only a verified primary email counting. Then the whole route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFreePort, readJson, startTestServer } from "../../../../tests/setup/http.ts";
import { CookieJar, visitCallback } from "../../../../tests/setup/oidc.ts";
import { startRecordedProvider, type RecordedAnswer } from "../../../../tests/setup/recorded-provider.ts";
import { createTestConfig, createTestDatabase, uniqueEmail } from "../../../../tests/setup/server.ts";
import { createGitHubProvider } from "./oauth-github.ts";
import type { OAuthAuthorization } from "./oauth-provider.ts";

const CLIENT_ID = "Iv1.8a61f9b3a7aba766";
const CLIENT_SECRET = "github-test-secret";
const ACCESS_TOKEN = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
const REDIRECT_URI = "http://localhost:5173/auth/oauth/github/callback";
// Unique per run: the tests keep their rows in a shared database.
const GITHUB_USER_ID = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

// Recorded answers; each test may replace one.
const TOKEN_ANSWER: RecordedAnswer = { json: { access_token: ACCESS_TOKEN, scope: "read:user,user:email", token_type: "bearer" } };
const BAD_CODE_ANSWER: RecordedAnswer = {
  // GitHub answers a bad or used code with 200 and an error body.
  json: {
    error: "bad_verification_code",
    error_description: "The code passed is incorrect or expired.",
    error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
  },
};
const USER_ANSWER: RecordedAnswer = {
  json: {
    login: "octocat",
    id: GITHUB_USER_ID,
    node_id: "MDQ6VXNlcjU4MzIzMQ==",
    avatar_url: "https://avatars.githubusercontent.com/u/583231?v=4",
    type: "User",
    site_admin: false,
    name: "The Octocat",
    company: "@github",
    // The public profile email is whatever the user typed: never trusted.
    email: "not-verified@example.com",
    created_at: "2011-01-25T18:44:36Z",
  },
};
let email = uniqueEmail("octocat");
const emailsAnswer = (): RecordedAnswer => ({
  json: [
    { email: "old@example.com", primary: false, verified: true, visibility: null },
    { email, primary: true, verified: true, visibility: "public" },
  ],
});

let answers: Record<string, () => RecordedAnswer> = {};
function resetAnswers() {
  answers = { token: () => TOKEN_ANSWER, user: () => USER_ANSWER, emails: emailsAnswer };
}
resetAnswers();

const github = await startRecordedProvider({
  "POST /login/oauth/access_token": () => answers.token!(),
  "GET /user": (request) => (request.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? answers.user!() : { status: 401, json: {} }),
  "GET /user/emails": (request) => (request.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? answers.emails!() : { status: 401, json: {} }),
});
const endpoints = { authorization: `${github.url}/login/oauth/authorize`, token: `${github.url}/login/oauth/access_token`, api: github.url };
const provider = createGitHubProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, timeoutMs: 5_000 }, endpoints);
const authorization: OAuthAuthorization = { state: "state-1", codeVerifier: "verifier-0123456789-0123456789-0123456789-0123", nonce: "n", forceLogin: false };
const callback = (code = "code-1") => new URL(`${REDIRECT_URI}?code=${code}&state=state-1`);

afterAll(() => github.close());

describe("GitHub", () => {
  it("asks for the profile and email addresses with PKCE (S256) and state", async () => {
    const url = await provider.createAuthorizationUrl(authorization);
    expect(url!.origin + url!.pathname).toBe(endpoints.authorization);
    expect(Object.fromEntries(url!.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: "state-1",
      scope: "read:user user:email",
      code_challenge_method: "S256",
    });
    expect(url!.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
  });

  it("exchanges the code with the verifier and client credentials, and reads the verified primary email", async () => {
    resetAnswers();
    github.requests.length = 0;
    const result = await provider.fetchIdentity(callback(), authorization);
    expect(result).toEqual({ ok: true, identity: { accountId: String(GITHUB_USER_ID), email, emailVerified: true, name: "The Octocat" } });
    const tokenRequest = github.requests.find((request) => request.path === "/login/oauth/access_token")!;
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toMatchObject({
      grant_type: "authorization_code",
      code: "code-1",
      code_verifier: authorization.codeVerifier,
      redirect_uri: REDIRECT_URI,
    });
  });

  it("falls back to the login for a user without a name", async () => {
    resetAnswers();
    answers.user = () => ({ json: { ...(USER_ANSWER.json as object), name: null } });
    const result = await provider.fetchIdentity(callback(), authorization);
    expect(result.ok && result.identity.name).toBe("octocat");
  });

  it("shares no email when the primary one is unverified (a public profile email does not count)", async () => {
    resetAnswers();
    answers.emails = () => ({
      json: [
        { email: "verified-secondary@example.com", primary: false, verified: true, visibility: null },
        { email: "unverified@example.com", primary: true, verified: false, visibility: "public" },
      ],
    });
    expect(await provider.fetchIdentity(callback(), authorization)).toEqual({
      ok: true,
      identity: { accountId: String(GITHUB_USER_ID), email: null, emailVerified: false, name: "The Octocat" },
    });
  });

  it("reports a bad or replayed code (GitHub's 200 with an error body)", async () => {
    resetAnswers();
    answers.token = () => BAD_CODE_ANSWER;
    expect(await provider.fetchIdentity(callback(), authorization)).toEqual({ ok: false, failure: "code_rejected" });
  });

  it("reports GitHub as unavailable on a server error or an unreadable API answer", async () => {
    resetAnswers();
    answers.token = () => ({ status: 503, json: {} });
    expect(await provider.fetchIdentity(callback(), authorization)).toEqual({ ok: false, failure: "provider_unavailable" });
    resetAnswers();
    answers.emails = () => ({ json: { message: "Not an array" } });
    expect(await provider.fetchIdentity(callback(), authorization)).toEqual({ ok: false, failure: "provider_unavailable" });
  });
});

describe("GitHub through the routes", () => {
  const db = createTestDatabase();
  let app: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    const port = await getFreePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const config = createTestConfig({ APP_ORIGIN: appUrl, GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: CLIENT_SECRET });
    const routed = createGitHubProvider(
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${appUrl}/auth/oauth/github/callback`, timeoutMs: 5_000 },
      endpoints,
    );
    app = await startTestServer({ db, config, oauthProviders: new Map([["github", routed]]) }, { port });
  });
  afterAll(async () => {
    await app.close();
    await db.$disconnect();
  });

  it("signs a new GitHub user in, and lists GitHub for the sign-in page", async () => {
    resetAnswers();
    email = uniqueEmail("octocat");
    const jar = new CookieJar();
    const started = await fetch(`${app.url}/auth/oauth/github`, { redirect: "manual" });
    jar.store(started);
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    const { location } = await visitCallback(`${app.url}/auth/oauth/github/callback?code=code-2&state=${state}`, jar);
    expect(location.pathname).toBe("/");
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { name: true, passwordHash: true, oauthAccounts: { select: { provider: true, providerAccountId: true } } } });
    expect(user).toEqual({ name: "The Octocat", passwordHash: null, oauthAccounts: [{ provider: "github", providerAccountId: String(GITHUB_USER_ID) }] });
    const providers = await readJson(await fetch(`${app.url}/trpc/oauth.providers`));
    expect(providers.result.data).toEqual([{ id: "github", name: "GitHub" }]);
  });
});
