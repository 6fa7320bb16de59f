// Bearer session tokens and JWT access tokens against the real server: sign-in without a cookie,
// the JWKS, the negative matrix, revocation lag under a fake clock and SQL statements per request.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyAccessTokenWithJwks } from "./verify-access-token.ts";
import { forgeAccessTokens, type ForgedTokenName } from "../../../tests/setup/access-tokens.ts";
import { createBearerClient, createCookieClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import { CLOCK_SKEW_SECONDS } from "./auth/access-token.ts";
import { generateSessionToken } from "./auth/token.ts";

const ORIGIN = "http://localhost:5173";
const SECOND = 1000;
let statements: string[] = [];
const db = createTestDatabase({ onQuery: (sql) => statements.push(sql) });
const config = createTestConfig({ APP_ORIGIN: ORIGIN });
const clock = createTestClock();
const server = useTestServer({ db, config, clock: clock.now });

async function signInWithToken(email: string) {
  const response = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "latchkey-cli/test" },
    body: JSON.stringify({ email, password: TEST_PASSWORD, transport: "token" }),
  });
  expect(response.status).toBe(200);
  return { response, token: (await readJson(response)).result.data.token as string };
}

async function bearerUser() {
  const user = await createTestUser(db);
  const { token } = await signInWithToken(user.email);
  return { user, token, client: createBearerClient(server.url, token) };
}

async function issueAccessToken(client: ReturnType<typeof createBearerClient>): Promise<string> {
  const response = await client.mutate("auth.issueAccessToken");
  expect(response.status).toBe(200);
  return (await readJson(response)).result.data.accessToken;
}

describe("bearer session tokens over HTTP", () => {
  it("sign-in with transport token returns the token in the body, sets no cookie and is not cached", async () => {
    const user = await createTestUser(db);
    const { response, token } = await signInWithToken(user.email);
    expect(token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{52}$/);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toBe("no-store");

    const me = await createBearerClient(server.url, token).query("auth.me");
    expect(me.status).toBe(200);
    expect((await readJson(me)).result.data).toMatchObject({ method: "bearer", user, session: { kind: "bearer" } });
  });

  it("is listed with its kind, can be revoked from a browser and stops working on the next call", async () => {
    const { user, token, client } = await bearerUser();
    const browser = createCookieClient(server.url, { origin: ORIGIN });
    await browser.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    expect((await client.mutate("note.create", { title: "from the CLI" })).status).toBe(200);

    const sessions = (await readJson(await browser.query("session.list"))).result.data;
    const listed = sessions.find((session: { id: string }) => session.id === token.split(".")[0]);
    expect(listed).toMatchObject({ kind: "bearer", userAgent: "latchkey-cli/test", current: false });

    expect((await browser.mutate("session.revoke", { id: listed.id })).status).toBe(200);
    const after = await client.query("note.list");
    expect(after.status).toBe(401);
    expect((await readJson(after)).error.data.code).toBe("UNAUTHORIZED");
  });

  it("can revoke itself (sign-out from the device)", async () => {
    const { token, client } = await bearerUser();
    expect((await client.mutate("session.revoke", { id: token.split(".")[0] })).status).toBe(200);
    expect((await client.query("auth.me")).status).toBe(401);
  });

  it("is exempt from the CSRF check: no ambient credential to forge", async () => {
    const { client } = await bearerUser();
    const response = await client.mutate("note.create", { title: "any origin" }, { headers: { origin: "https://elsewhere.example" } });
    expect(response.status).toBe(200);
  });

  it("decides over the cookie: a valid cookie with a garbage Bearer is 401", async () => {
    const user = await createTestUser(db);
    const browser = createCookieClient(server.url, { origin: ORIGIN });
    await browser.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    expect((await browser.query("auth.me")).status).toBe(200);
    const response = await browser.query("auth.me", undefined, { headers: { authorization: "Bearer garbage" } });
    expect(response.status).toBe(401);
    // The cookie was not even looked at, so it is not cleared either.
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("with a wrong secret is 401 and leaves the session alone", async () => {
    const { token, client } = await bearerUser();
    const forged = `${token.split(".")[0]}.${generateSessionToken().secret}`;
    expect((await createBearerClient(server.url, forged).query("auth.me")).status).toBe(401);
    expect((await client.query("auth.me")).status).toBe(200);
  });
});

describe("JWT access tokens over HTTP", () => {
  it("publishes the public keys at /.well-known/jwks.json, cacheable", async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const body = await readJson(response);
    expect(body).toEqual({
      keys: [{ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: config.accessToken.signingKey.kid, alg: "EdDSA", use: "sig" }],
    });
    const head = await fetch(`${server.url}/.well-known/jwks.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("issued from a cookie session, works for protected procedures and verifies with the fetched JWKS", async () => {
    const user = await createTestUser(db);
    const browser = createCookieClient(server.url, { origin: ORIGIN });
    await browser.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    const issued = await browser.mutate("auth.issueAccessToken");
    expect(issued.headers.get("cache-control")).toBe("no-store");
    const { accessToken, expiresAt } = (await readJson(issued)).result.data;
    expect(new Date(expiresAt).getTime()).toBe(Math.floor(clock.now().getTime() / SECOND) * SECOND + 300 * SECOND);

    const api = createBearerClient(server.url, accessToken);
    expect((await api.mutate("note.create", { title: "via JWT" })).status).toBe(200);
    const notes = (await readJson(await api.query("note.list"))).result.data;
    expect(notes).toEqual([expect.objectContaining({ title: "via JWT" })]);
    expect((await readJson(await api.query("auth.me"))).result.data).toMatchObject({ method: "jwt", user });

    const verified = await verifyAccessTokenWithJwks(accessToken, {
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      issuer: ORIGIN,
      now: clock.now(),
    });
    expect(verified).toMatchObject({ ok: true, claims: { sub: user.id, aud: "latchkey-api", iss: ORIGIN } });
    const wrongAudience = await verifyAccessTokenWithJwks(accessToken, {
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      issuer: ORIGIN,
      audience: "billing-api",
      now: clock.now(),
    });
    expect(wrongAudience).toEqual({ ok: false, reason: "audience" });
  });

  it("is not accepted where a session token is required: issuing another one", async () => {
    const { client } = await bearerUser();
    const response = await createBearerClient(server.url, await issueAccessToken(client)).mutate("auth.issueAccessToken");
    expect(response.status).toBe(403);
  });
});

describe("SQL statements per authenticated request", () => {
  beforeEach(() => {
    statements = [];
  });

  it("none for a JWT", async () => {
    const { client } = await bearerUser();
    const api = createBearerClient(server.url, await issueAccessToken(client));
    statements = [];
    expect((await api.query("auth.me")).status).toBe(200);
    expect(statements).toEqual([]);
  });

  it("one for a bearer session token and one for a cookie", async () => {
    const { user, client } = await bearerUser();
    statements = [];
    expect((await client.query("auth.me")).status).toBe(200);
    expect(statements).toHaveLength(1);

    const browser = createCookieClient(server.url, { origin: ORIGIN });
    await browser.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    statements = [];
    expect((await browser.query("auth.me")).status).toBe(200);
    expect(statements).toHaveLength(1);
  });
});

describe("forged and broken access tokens over HTTP", () => {
  let tokens: ReturnType<typeof forgeAccessTokens>;
  beforeAll(async () => {
    const { user, token } = await bearerUser();
    tokens = forgeAccessTokens(
      config.accessToken,
      { userId: user.id, sessionId: token.split(".")[0]!, email: user.email, name: user.name },
      clock.now(),
    );
  });

  it("the unbroken control token is accepted", async () => {
    expect((await createBearerClient(server.url, tokens.valid).query("note.list")).status).toBe(200);
  });

  const names: ForgedTokenName[] = [
    "expired",
    "nbf in the future",
    "wrong aud",
    "wrong iss",
    "alg none",
    "HS256 signed with the public key",
    "unknown kid",
    "another key under our kid",
    "tampered payload",
    "tampered signature",
    "wrong typ",
  ];
  it.each(names)("%s: 401", async (name) => {
    const response = await createBearerClient(server.url, tokens.forged[name].token).query("note.list");
    expect(response.status).toBe(401);
    expect((await readJson(response)).error.data.code).toBe("UNAUTHORIZED");
  });
});

describe("a revoked session over HTTP (fake clock)", () => {
  it("session token refused at once; JWT refused at once by sessionProcedure, by the rest once it expires", async () => {
    const { token, client } = await bearerUser();
    const api = createBearerClient(server.url, await issueAccessToken(client));
    expect((await client.mutate("session.revoke", { id: token.split(".")[0] })).status).toBe(200);

    expect((await client.query("note.list")).status).toBe(401);
    expect((await api.mutate("session.revokeOthers")).status).toBe(401);
    expect((await api.query("note.list")).status).toBe(200);

    clock.advance((config.accessToken.lifetimeSeconds + CLOCK_SKEW_SECONDS) * SECOND);
    expect((await api.query("note.list")).status).toBe(401);
  });
});
