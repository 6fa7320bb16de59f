// Sign-in with OpenID Connect over HTTP: the real server, a real oidc-provider on loopback (behind a
// proxy that can take it down or rewrite its ID tokens), a fetch-based browser. Every failure lands
// on the sign-in (or account) page with its reason and writes no user, link or session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFreePort, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import {
  authorizeAtProvider,
  CookieJar,
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  resignIdToken,
  startTestOidcProvider,
  visitCallback,
  type TestOidcProvider,
} from "../../../tests/setup/oidc.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { computeTotpCode } from "../../../tests/setup/totp.ts";
import { generateRsaSigningKey, type LocalOidcAccount } from "../../../scripts/lib/local-oidc-provider.ts";
import { createOAuthRequestHandler } from "./oauth-routes.ts";
import { getOAuthProviders } from "./auth/oauth-provider.ts";
import { createRateLimiter } from "./auth/rate-limit.ts";
import { generateSessionToken } from "./auth/token.ts";
import { createDatabase } from "./db.ts";

const MINUTE = 60_000;
const REAUTHENTICATION_MINUTES = 10;
const SESSION_COOKIE = "latchkey_session";
const STATE_COOKIE = "latchkey_oauth";

function account(label: string, emailVerified = true): LocalOidcAccount {
  return { login: `${label}-${crypto.randomUUID()}`, email: uniqueEmail(label), emailVerified, name: `${label} person` };
}

const accounts = {
  newcomer: account("newcomer"),
  returning: account("returning"),
  cancel: account("cancel"),
  stateless: account("stateless"),
  forged: account("forged"),
  swapped: account("swapped"),
  nonce: account("nonce"),
  foreignKey: account("foreign-key"),
  audience: account("audience"),
  expiredToken: account("expired-token"),
  replay: account("replay"),
  expiredCode: account("expired-code"),
  down: account("down"),
  unverified: account("unverified", false),
  existing: account("existing"),
  linker: account("linker"),
  lateLinker: account("late-linker"),
  taken: account("taken"),
  sudo: account("sudo"),
  stranger: account("stranger"),
  race: account("race"),
  doubled: account("doubled"),
  firstSignUp: account("first-sign-up"),
  secondSignUp: account("second-sign-up"),
  batch: account("batch"),
  secondFactor: account("second-factor"),
};

// One connection on the embedded database: its socket server runs one connection's messages at a
// time, but not one extended-protocol query at a time, so the parallel-callback test's queries on
// two connections could swap unnamed portals ("portal \"\" does not exist", a 500 seen under
// load). On PostgreSQL (DATABASE_URL) the callbacks race on two connections, as in production.
const db = createTestDatabase(process.env.DATABASE_URL ? {} : { poolMax: 1 });
const clock = createTestClock();
let oidc: TestOidcProvider;
let server: TestServer;
let appUrl: string;
let config: ReturnType<typeof createTestConfig>;

beforeAll(async () => {
  const port = await getFreePort();
  appUrl = `http://127.0.0.1:${port}`;
  oidc = await startTestOidcProvider({ redirectUris: [`${appUrl}/auth/oauth/oidc/callback`], accounts: Object.values(accounts) });
  config = createTestConfig({
    APP_ORIGIN: appUrl,
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_NAME: "Local OIDC",
    REAUTHENTICATION_WINDOW_MINUTES: String(REAUTHENTICATION_MINUTES),
  });
  server = await startTestServer({ db, config, clock: clock.now }, { port });
});

afterAll(async () => {
  await server?.close();
  await oidc?.close();
  await db.$disconnect();
});

/** The whole flow as a browser: start, sign in at the provider, come back. */
async function signInThroughProvider(login: LocalOidcAccount, jar = new CookieJar(), query = "") {
  const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: login.login, query });
  return { jar, callbackUrl, ...(await visitCallback(callbackUrl, jar)) };
}

async function trpc(jar: CookieJar, path: string, input?: unknown, method: "GET" | "POST" = "POST") {
  const headers: Record<string, string> = { origin: appUrl, cookie: jar.header() };
  if (method === "GET") return fetch(`${appUrl}/trpc/${path}`, { headers });
  const response = await fetch(`${appUrl}/trpc/${path}`, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  jar.store(response);
  return response;
}

async function signInWithPassword(email: string): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await trpc(jar, "auth.signIn", { email, password: TEST_PASSWORD })).status).toBe(200);
  return jar;
}

async function currentUserEmail(jar: CookieJar): Promise<string | null> {
  const response = await trpc(jar, "auth.me", undefined, "GET");
  return response.status === 200 ? (await readJson(response)).result.data.user.email : null;
}

function expectFailure(location: URL, failure: string, page = "/sign-in") {
  expect(`${location.pathname}?${location.searchParams}`).toBe(`${page}?oauth_error=${failure}`);
}

/** No user, no link and no session for this provider account. */
async function expectNothingWritten(login: LocalOidcAccount, jar: CookieJar) {
  expect(await db.user.findUnique({ where: { email: login.email }, select: { id: true } })).toBeNull();
  expect(await db.oAuthAccount.findMany({ where: { providerAccountId: login.login } })).toEqual([]);
  expect(jar.cookies.has(SESSION_COOKIE)).toBe(false);
  expect(jar.cookies.has(STATE_COOKIE)).toBe(false);
}

/** A sign-in whose ID token the provider's answer carries rewritten: refused, nothing written. */
async function expectRewrittenIdTokenRefused(login: LocalOidcAccount, rewrite: NonNullable<TestOidcProvider["rewriteTokenResponse"]>) {
  oidc.rewriteTokenResponse = rewrite;
  try {
    const { jar, location } = await signInThroughProvider(login);
    expectFailure(location, "id_token_invalid");
    await expectNothingWritten(login, jar);
  } finally {
    oidc.rewriteTokenResponse = null;
  }
}

describe("signing in with the OpenID Connect provider", () => {
  it("creates a verified user without a password, linked to the provider, with a fresh session cookie", async () => {
    const jar = new CookieJar();
    const started = await fetch(`${appUrl}/auth/oauth/oidc`, { redirect: "manual" });
    expect(started.status).toBe(302);
    const authorizeUrl = new URL(started.headers.get("location")!);
    expect(authorizeUrl.origin).toBe(oidc.issuer);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    for (const parameter of ["state", "nonce", "code_challenge"]) expect(authorizeUrl.searchParams.get(parameter)).toMatch(/^[\w-]{43,}$/);
    expect(started.headers.get("cache-control")).toBe("no-store");
    // The state cookie: short-lived, HttpOnly, SameSite=Lax, and it never holds the PKCE challenge's inputs in the URL.
    expect(started.headers.getSetCookie()).toEqual([expect.stringMatching(/^latchkey_oauth=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/)]);

    const { response, location } = await signInThroughProvider(accounts.newcomer, jar);
    expect(`${location.pathname}${location.search}`).toBe("/");
    // The same cookie as a password sign-in's, and the state cookie is cleared.
    expect(response.headers.getSetCookie()).toEqual([
      "latchkey_oauth=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
      expect.stringMatching(/^latchkey_session=[a-z0-9]+\.[a-z0-9]+; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/),
    ]);
    expect(await currentUserEmail(jar)).toBe(accounts.newcomer.email);
    const user = await db.user.findUniqueOrThrow({
      where: { email: accounts.newcomer.email },
      select: { name: true, passwordHash: true, emailVerifiedAt: true, oauthAccounts: { select: { provider: true, providerAccountId: true } } },
    });
    expect(user).toMatchObject({ name: "newcomer person", passwordHash: null, oauthAccounts: [{ provider: "oidc", providerAccountId: accounts.newcomer.login }] });
    expect(user.emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("signs a returning identity in to the same user, ending the session the browser had (fixation)", async () => {
    const first = await signInThroughProvider(accounts.returning);
    const oldToken = first.jar.cookies.get(SESSION_COOKIE)!;
    const second = await signInThroughProvider(accounts.returning, first.jar);
    expect(second.location.pathname).toBe("/");
    expect(first.jar.cookies.get(SESSION_COOKIE)).not.toBe(oldToken);
    expect(await db.session.findUnique({ where: { id: oldToken.split(".")[0]! } })).toBeNull();
    expect(await db.user.count({ where: { email: accounts.returning.email } })).toBe(1);
    expect(await currentUserEmail(first.jar)).toBe(accounts.returning.email);
  });

  it("answers 404 for an unconfigured provider and 405 for other methods", async () => {
    expect((await fetch(`${appUrl}/auth/oauth/github`, { redirect: "manual" })).status).toBe(404);
    expect((await fetch(`${appUrl}/auth/oauth/oidc/callback/extra`, { redirect: "manual" })).status).toBe(404);
    const post = await fetch(`${appUrl}/auth/oauth/oidc/callback`, { method: "POST", redirect: "manual" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect((await fetch(`${appUrl}/auth/oauth/oidc?intent=steal`, { redirect: "manual" })).status).toBe(400);
  });

  it("lists the provider for the sign-in page's button", async () => {
    const response = await fetch(`${appUrl}/trpc/oauth.providers`);
    expect((await readJson(response)).result.data).toEqual([{ id: "oidc", name: "Local OIDC" }]);
  });
});

describe("a failed callback lands on the sign-in page and writes nothing", () => {
  it("the user cancels at the provider (access_denied)", async () => {
    const jar = new CookieJar();
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.cancel.login, cancel: true });
    expect(new URL(callbackUrl).searchParams.get("error")).toBe("access_denied");
    expectFailure((await visitCallback(callbackUrl, jar)).location, "access_denied");
    await expectNothingWritten(accounts.cancel, jar);
  });

  it("the state cookie is missing (another browser, or expired)", async () => {
    const callbackUrl = await authorizeAtProvider(appUrl, new CookieJar(), { login: accounts.stateless.login });
    const otherBrowser = new CookieJar();
    expectFailure((await visitCallback(callbackUrl, otherBrowser)).location, "state_mismatch");
    await expectNothingWritten(accounts.stateless, otherBrowser);
  });

  it("the state differs from the cookie's (a forged or swapped callback)", async () => {
    const jar = new CookieJar();
    const callbackUrl = new URL(await authorizeAtProvider(appUrl, jar, { login: accounts.forged.login }));
    callbackUrl.searchParams.set("state", "forged-state-forged-state-forged-state-forged");
    expectFailure((await visitCallback(callbackUrl.toString(), jar)).location, "state_mismatch");
    await expectNothingWritten(accounts.forged, jar);
  });

  it("the callback belongs to an earlier flow than the cookie's", async () => {
    const jar = new CookieJar();
    const earlier = await authorizeAtProvider(appUrl, jar, { login: accounts.swapped.login });
    await authorizeAtProvider(appUrl, jar, { login: accounts.swapped.login });
    expectFailure((await visitCallback(earlier, jar)).location, "state_mismatch");
    await expectNothingWritten(accounts.swapped, jar);
  });

  it("the ID token's nonce differs from the one we sent", async () => {
    await expectRewrittenIdTokenRefused(accounts.nonce, resignIdToken(oidc.signingKey, (claims) => ({ ...claims, nonce: "someone-elses-nonce" })));
  });

  it("the ID token is signed by another key (under the provider's key id)", async () => {
    const attackerKey = generateRsaSigningKey();
    await expectRewrittenIdTokenRefused(accounts.foreignKey, resignIdToken(attackerKey, (claims) => claims, oidc.signingKey.kid));
  });

  it("the ID token was issued to another client (audience)", async () => {
    await expectRewrittenIdTokenRefused(accounts.audience, resignIdToken(oidc.signingKey, (claims) => ({ ...claims, aud: "another-client", azp: "another-client" })));
  });

  it("the ID token has expired", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRewrittenIdTokenRefused(accounts.expiredToken, resignIdToken(oidc.signingKey, (claims) => ({ ...claims, iat: past - 60, exp: past })));
  });

  it("the code is replayed, with the state cookie saved from the first visit", async () => {
    const jar = new CookieJar();
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.replay.login });
    const attacker = new CookieJar();
    attacker.cookies.set(STATE_COOKIE, jar.cookies.get(STATE_COOKIE)!);
    expect((await visitCallback(callbackUrl, jar)).location.pathname).toBe("/");
    expectFailure((await visitCallback(callbackUrl, attacker)).location, "code_rejected");
    expect(attacker.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("the code has expired", async () => {
    oidc.codeTtlSeconds = 1;
    try {
      const jar = new CookieJar();
      const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.expiredCode.login });
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expectFailure((await visitCallback(callbackUrl, jar)).location, "code_rejected");
      await expectNothingWritten(accounts.expiredCode, jar);
    } finally {
      oidc.codeTtlSeconds = 60;
    }
  });

  it("the provider is down when the code is exchanged", async () => {
    const jar = new CookieJar();
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.down.login });
    oidc.down = true;
    try {
      expectFailure((await visitCallback(callbackUrl, jar)).location, "provider_unavailable");
    } finally {
      oidc.down = false;
    }
    await expectNothingWritten(accounts.down, jar);
  });

  it("the provider is down when the flow starts (discovery fails)", async () => {
    const deadIssuer = `http://127.0.0.1:${await getFreePort()}`;
    const deadConfig = createTestConfig({ APP_ORIGIN: appUrl, OIDC_ISSUER: deadIssuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET });
    const handle = createOAuthRequestHandler({
      db,
      config: deadConfig,
      providers: getOAuthProviders(deadConfig.oauth, appUrl),
      rateLimiter: createRateLimiter(deadConfig.rateLimit.policy, { type: "memory" }),
    });
    const response = await handle(new Request(`${appUrl}/auth/oauth/oidc`), { remoteAddress: "127.0.0.1" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/sign-in?oauth_error=provider_unavailable");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("the database is down: 503 with Retry-After, not an error page", async () => {
    const deadDatabase = createDatabase({ url: `postgresql://postgres@127.0.0.1:${await getFreePort()}/postgres`, poolMax: 1 });
    const outage = await startTestServer({ db: deadDatabase, config });
    try {
      const response = await fetch(`${outage.url}/auth/oauth/oidc?intent=link`, {
        headers: { cookie: `latchkey_session=${generateSessionToken().token}` },
        redirect: "manual",
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
    } finally {
      await outage.close();
      await deadDatabase.$disconnect();
    }
  });

  it("the provider does not assert the email is verified", async () => {
    const { jar, location } = await signInThroughProvider(accounts.unverified);
    expectFailure(location, "email_unverified");
    await expectNothingWritten(accounts.unverified, jar);
  });

  it("the email belongs to an existing account: not taken over (OAUTH_AUTO_LINK=never)", async () => {
    const user = await createTestUser(db, { email: accounts.existing.email });
    const { jar, location } = await signInThroughProvider(accounts.existing);
    expectFailure(location, "account_exists");
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("too many new accounts from one IP address (the sign-up limit), while a returning identity still signs in", async () => {
    // The same server setup with a sign-up budget of one per IP, handling callbacks of flows started at the server.
    const handle = createOAuthRequestHandler({
      db,
      config,
      providers: getOAuthProviders(config.oauth, appUrl),
      rateLimiter: createRateLimiter({ ...config.rateLimit.policy, signUpsPerIpPerHour: 1 }, { type: "memory" }),
    });
    const callBack = async (login: LocalOidcAccount) => {
      const jar = new CookieJar();
      const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: login.login });
      const response = await handle(new Request(callbackUrl, { headers: { cookie: jar.header() } }), { remoteAddress: "192.0.2.7" });
      jar.store(response);
      return { jar, location: response.headers.get("location") };
    };
    expect((await callBack(accounts.firstSignUp)).location).toBe("/");
    const refused = await callBack(accounts.secondSignUp);
    expect(refused.location).toBe("/sign-in?oauth_error=sign_up_limited");
    await expectNothingWritten(accounts.secondSignUp, refused.jar);
    expect((await callBack(accounts.firstSignUp)).location).toBe("/");
  });

  it("two callbacks of one new identity in parallel make one user, and no server error", async () => {
    const flows = await Promise.all([0, 1, 2].map(async () => {
      const jar = new CookieJar();
      return { jar, callbackUrl: await authorizeAtProvider(appUrl, jar, { login: accounts.race.login }) };
    }));
    const results = await Promise.all(flows.map(({ jar, callbackUrl }) => visitCallback(callbackUrl, jar)));
    for (const { response, location } of results) {
      expect(response.status).toBe(302);
      expect(location.toString()).toBe(`${appUrl}/`);
    }
    expect(await db.user.count({ where: { email: accounts.race.email } })).toBe(1);
    expect(await db.oAuthAccount.count({ where: { providerAccountId: accounts.race.login } })).toBe(1);
  });
});

describe("odd requests", () => {
  it("refuses a callback that repeats its parameters, and writes nothing", async () => {
    const jar = new CookieJar();
    const callbackUrl = new URL(await authorizeAtProvider(appUrl, jar, { login: accounts.doubled.login }));
    callbackUrl.searchParams.append("code", "a-second-code");
    const { location } = await visitCallback(callbackUrl.toString(), jar);
    expect(location.pathname).toBe("/sign-in");
    expect(location.searchParams.get("oauth_error")).not.toBeNull();
    await expectNothingWritten(accounts.doubled, jar);
  });

  it("lets only one of a batch unlinking the last two providers through (tRPC batch, one HTTP request)", async () => {
    const { jar } = await signInThroughProvider(accounts.batch);
    const user = await db.user.findUniqueOrThrow({ where: { email: accounts.batch.email }, select: { id: true } });
    await db.oAuthAccount.create({ data: { id: crypto.randomUUID(), provider: "github", providerAccountId: crypto.randomUUID(), userId: user.id } });
    const response = await fetch(`${appUrl}/trpc/oauth.unlink,oauth.unlink?batch=1`, {
      method: "POST",
      headers: { origin: appUrl, cookie: jar.header(), "content-type": "application/json" },
      body: JSON.stringify({ 0: { provider: "oidc" }, 1: { provider: "github" } }),
    });
    const results = (await readJson(response)) as Array<{ result?: unknown; error?: { message: string } }>;
    expect(results.filter((result) => result.result)).toHaveLength(1);
    expect(results.find((result) => result.error)?.error?.message).toBe(
      "This is your only way to sign in. Link another provider or set a password first.",
    );
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(1);
  });

  it("answers HEAD with 405 and an encoded provider name with 404", async () => {
    expect((await fetch(`${appUrl}/auth/oauth/oidc`, { method: "HEAD", redirect: "manual" })).status).toBe(405);
    expect((await fetch(`${appUrl}/auth/oauth/%6Fidc`, { redirect: "manual" })).status).toBe(404);
  });
});

describe("linking a provider to a signed-in account", () => {
  it("links in sudo mode, and the identity then signs in to that account", async () => {
    const user = await createTestUser(db);
    const jar = await signInWithPassword(user.email);
    const { location } = await signInThroughProvider(accounts.linker, jar, "?intent=link");
    expect(`${location.pathname}?${location.searchParams}`).toBe("/account?oauth_linked=oidc");
    expect(await db.oAuthAccount.findMany({ where: { userId: user.id }, select: { provider: true, providerAccountId: true } })).toEqual([
      { provider: "oidc", providerAccountId: accounts.linker.login },
    ]);
    const methods = await readJson(await trpc(jar, "oauth.methods", undefined, "GET"));
    expect(methods.result.data).toMatchObject({ hasPassword: true, linked: [{ provider: "oidc" }] });
    const elsewhere = await signInThroughProvider(accounts.linker);
    expect(await currentUserEmail(elsewhere.jar)).toBe(user.email);
  });

  it("is refused outside sudo mode, at the start and at the callback", async () => {
    const user = await createTestUser(db);
    const jar = await signInWithPassword(user.email);
    // Started in time, but the callback comes after the window closed.
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.lateLinker.login, query: "?intent=link" });
    clock.advance((REAUTHENTICATION_MINUTES + 1) * MINUTE);
    expectFailure((await visitCallback(callbackUrl, jar)).location, "reauthentication_required", "/account");
    const late = await fetch(`${appUrl}/auth/oauth/oidc?intent=link`, { headers: { cookie: jar.header() }, redirect: "manual" });
    expect(late.headers.get("location")).toBe("/account?oauth_error=reauthentication_required");
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(0);
  });

  it("needs a session, and refuses an identity that signs in to someone else", async () => {
    const anonymous = await fetch(`${appUrl}/auth/oauth/oidc?intent=link`, { redirect: "manual" });
    expect(anonymous.headers.get("location")).toBe("/sign-in?oauth_error=session_required");
    await signInThroughProvider(accounts.taken);
    const owner = await db.user.findUniqueOrThrow({ where: { email: accounts.taken.email }, select: { id: true } });
    const other = await createTestUser(db);
    const jar = await signInWithPassword(other.email);
    const { location } = await signInThroughProvider(accounts.taken, jar, "?intent=link");
    expectFailure(location, "identity_taken", "/account");
    expect(await db.oAuthAccount.findMany({ where: { providerAccountId: accounts.taken.login }, select: { userId: true } })).toEqual([
      { userId: owner.id },
    ]);
  });
});

describe("a user with a second factor", () => {
  it("gets only a second-factor-pending session from the provider, which cannot step up through it; the code completes it", async () => {
    const { jar } = await signInThroughProvider(accounts.secondFactor);
    const enrolment = await readJson(await trpc(jar, "mfa.startTotp"));
    const key: string = enrolment.result.data.key;
    expect((await trpc(jar, "mfa.confirmTotp", { code: computeTotpCode(key, clock.now()) })).status).toBe(200);

    const { jar: other, location } = await signInThroughProvider(accounts.secondFactor);
    expect(`${location.pathname}${location.search}`).toBe("/sign-in?second_factor=1");
    const pendingToken = other.cookies.get(SESSION_COOKIE)!;
    expect(await db.session.findUniqueOrThrow({ where: { id: pendingToken.split(".")[0]! } })).toMatchObject({
      secondFactorPending: true,
      factors: ["oauth"],
    });
    expect(await currentUserEmail(other)).toBeNull();
    const methods = await readJson(await trpc(other, "mfa.pendingMethods", undefined, "GET"));
    expect(methods.result.data).toEqual(["totp", "recovery_code"]);

    // Re-authenticating through the provider must not turn a pending session into a full one.
    const refusedAt = new URL(await authorizeAtProvider(appUrl, other, { login: accounts.secondFactor.login, query: "?intent=reauthenticate" }));
    expectFailure(refusedAt, "session_required");
    expect(other.cookies.get(SESSION_COOKIE)).toBe(pendingToken);
    expect(await currentUserEmail(other)).toBeNull();

    expect((await trpc(other, "mfa.verify", { method: "totp", code: computeTotpCode(key, clock.now(), 1) })).status).toBe(200);
    expect(other.cookies.get(SESSION_COOKIE)).not.toBe(pendingToken);
    expect(await currentUserEmail(other)).toBe(accounts.secondFactor.email);
    expect(await db.session.findUniqueOrThrow({ where: { id: other.cookies.get(SESSION_COOKIE)!.split(".")[0]! } })).toMatchObject({
      secondFactorPending: false,
      factors: ["oauth", "totp"],
    });
  });
});

describe("sudo mode for a user without a password: re-authentication through the provider", () => {
  it("replaces the session with a fresh one that passes sudo mode", async () => {
    const { jar } = await signInThroughProvider(accounts.sudo);
    clock.advance((REAUTHENTICATION_MINUTES + 1) * MINUTE);
    const refused = await trpc(jar, "oauth.authorizeLink");
    expect(refused.status).toBe(403);
    expect((await readJson(refused)).error.data.reauthenticationRequired).toBe(true);

    const oldToken = jar.cookies.get(SESSION_COOKIE)!;
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.sudo.login, query: "?intent=reauthenticate&next=/sessions" });
    const { location } = await visitCallback(callbackUrl, jar);
    expect(location.pathname).toBe("/sessions");
    expect(jar.cookies.get(SESSION_COOKIE)).not.toBe(oldToken);
    expect(await db.session.findUnique({ where: { id: oldToken.split(".")[0]! } })).toBeNull();
    expect((await trpc(jar, "oauth.authorizeLink")).status).toBe(200);
  });

  it("refuses an identity that is not the signed-in user's, and keeps the session as it was", async () => {
    const { jar } = await signInThroughProvider(accounts.stranger);
    const token = jar.cookies.get(SESSION_COOKIE)!;
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.newcomer.login, query: "?intent=reauthenticate" });
    expectFailure((await visitCallback(callbackUrl, jar)).location, "identity_mismatch", "/account");
    expect(jar.cookies.get(SESSION_COOKIE)).toBe(token);
    expect(await currentUserEmail(jar)).toBe(accounts.stranger.email);
  });

  it("never sends the browser off-site afterwards", async () => {
    const { jar } = await signInThroughProvider(accounts.stranger);
    const callbackUrl = await authorizeAtProvider(appUrl, jar, { login: accounts.stranger.login, query: "?intent=reauthenticate&next=//evil.example/x" });
    expect((await visitCallback(callbackUrl, jar)).location.toString()).toBe(`${appUrl}/account`);
  });
});
