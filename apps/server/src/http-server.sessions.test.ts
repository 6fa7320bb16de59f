// Session rules against the real server (fake clock): a token works only through the channel it was
// issued for, bearer sessions expire like cookie ones, sudo mode's error shape, account deletion
// and an admin ending someone else's session.
import { describe, expect, it } from "vitest";
import { createBearerClient, createCookieClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";

const ORIGIN = "http://localhost:5173";
const MINUTE = 60_000;
const IDLE_MINUTES = 60;
const ABSOLUTE_MINUTES = 180;
const REAUTHENTICATION_MINUTES = 10;
const db = createTestDatabase();
const clock = createTestClock();
const config = createTestConfig({
  APP_ORIGIN: ORIGIN,
  SESSION_IDLE_TIMEOUT_MINUTES: String(IDLE_MINUTES),
  SESSION_ABSOLUTE_LIFETIME_MINUTES: String(ABSOLUTE_MINUTES),
  SESSION_RENEWAL_INTERVAL_MINUTES: "10",
  REAUTHENTICATION_WINDOW_MINUTES: String(REAUTHENTICATION_MINUTES),
});
const server = useTestServer({ db, config, clock: clock.now });

async function cookieSession(user?: { email: string }) {
  const { email } = user ?? (await createTestUser(db));
  const client = createCookieClient(server.url, { origin: ORIGIN });
  expect((await client.mutate("auth.signIn", { email, password: TEST_PASSWORD })).status).toBe(200);
  return { client, token: client.jar.get("latchkey_session")! };
}

async function bearerSession(user?: { email: string }) {
  const { email } = user ?? (await createTestUser(db));
  const response = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: TEST_PASSWORD, transport: "token" }),
  });
  const token = (await readJson(response)).result.data.token as string;
  return { client: createBearerClient(server.url, token), token, sessionId: token.split(".")[0]! };
}

describe("a session token is bound to the channel it was issued for", () => {
  it("a cookie session's token is refused in an Authorization header", async () => {
    const { client, token } = await cookieSession();
    expect((await createBearerClient(server.url, token).query("auth.me")).status).toBe(401);
    expect((await createBearerClient(server.url, token).mutate("note.create", { title: "via header" })).status).toBe(401);
    // Refusing the misuse does not end the session: the browser goes on.
    expect((await client.query("auth.me")).status).toBe(200);
  });

  it("a bearer session's token is refused as the session cookie, and that cookie is cleared", async () => {
    const { client, token } = await bearerSession();
    const response = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: `latchkey_session=${token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^latchkey_session=; Path=\/; Max-Age=0/)]);
    expect((await client.query("auth.me")).status).toBe(200);
  });
});

describe("idle timeout and absolute lifetime of bearer sessions over HTTP", () => {
  it("a bearer session unused for the idle timeout is refused and its row deleted; use slides the window", async () => {
    const idle = await bearerSession();
    const active = await bearerSession();
    clock.advance((IDLE_MINUTES - 1) * MINUTE);
    expect((await active.client.query("note.list")).status).toBe(200);
    clock.advance(1 * MINUTE);
    expect((await idle.client.query("note.list")).status).toBe(401);
    expect(await db.session.count({ where: { id: idle.sessionId } })).toBe(0);
    // Renewed at IDLE - 1 minutes, so alive until 2 × IDLE - 1.
    clock.advance((IDLE_MINUTES - 2) * MINUTE);
    expect((await active.client.query("note.list")).status).toBe(200);
  });

  it("a bearer session ends at its absolute lifetime however active it is", async () => {
    const { client, sessionId } = await bearerSession();
    for (let minute = 50; minute < ABSOLUTE_MINUTES; minute += 50) {
      clock.advance(50 * MINUTE);
      expect((await client.query("note.list")).status).toBe(200);
    }
    clock.advance((ABSOLUTE_MINUTES - 150) * MINUTE);
    const response = await client.query("note.list");
    expect(response.status).toBe(401);
    expect((await readJson(response)).error.data.code).toBe("UNAUTHORIZED");
    expect(await db.session.count({ where: { id: sessionId } })).toBe(0);
  });
});

describe("sudo mode over HTTP", () => {
  it("answers a stale session with 403 and data.reauthenticationRequired, and runs the call after auth.reauthenticate", async () => {
    const user = await createTestUser(db);
    const { client, token } = await cookieSession(user);
    const phone = await bearerSession(user);
    clock.advance(REAUTHENTICATION_MINUTES * MINUTE);

    const refused = await client.mutate("session.revokeOthers");
    expect(refused.status).toBe(403);
    const { error } = await readJson(refused);
    expect(error.message).toBe("Enter your password again to continue.");
    expect(error.data).toMatchObject({ code: "FORBIDDEN", reauthenticationRequired: true, retryAfterSeconds: null });

    const wrong = await client.mutate("auth.reauthenticate", { password: "not the password" });
    expect(wrong.status).toBe(400);
    expect((await readJson(wrong)).error).toMatchObject({ message: "The password is incorrect.", data: { reauthenticationRequired: false } });

    const reauthenticated = await client.mutate("auth.reauthenticate", { password: TEST_PASSWORD });
    expect(reauthenticated.status).toBe(200);
    // A new session cookie; the old token fails from now on.
    expect(reauthenticated.headers.getSetCookie()).toEqual([expect.stringMatching(/^latchkey_session=[a-z2-7]{24}\./)]);
    expect(client.jar.get("latchkey_session")).not.toBe(token);
    expect((await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: `latchkey_session=${token}` } })).status).toBe(401);
    expect((await readJson(await client.mutate("session.revokeOthers"))).result.data).toEqual({ revoked: 1 });
    expect((await phone.client.query("auth.me")).status).toBe(401);
  });

  it("takes a sensitive mutation sent without a body, as tRPC's httpLink sends one called without input", async () => {
    const phone = await bearerSession();
    const response = await fetch(`${server.url}/trpc/session.revokeOthers`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${phone.token}` },
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)).result.data).toEqual({ revoked: 0 });
  });
});

describe("account deletion over HTTP", () => {
  it("deletes the account, clears the cookie and the old cookie fails on the next request", async () => {
    const user = await createTestUser(db);
    const { client, token } = await cookieSession(user);
    expect((await client.mutate("note.create", { title: "to be deleted" })).status).toBe(200);

    const response = await client.mutate("account.delete");
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^latchkey_session=; Path=\/; Max-Age=0/)]);
    expect(await db.user.count({ where: { id: user.id } })).toBe(0);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
    const replay = await fetch(`${server.url}/trpc/note.list`, { headers: { cookie: `latchkey_session=${token}` } });
    expect(replay.status).toBe(401);
  });
});

describe("administration over HTTP", () => {
  it("an admin ends another user's bearer session, which fails on its next request; a non-admin gets 403", async () => {
    const admin = await cookieSession(await createTestUser(db, { role: "admin" }));
    const user = await createTestUser(db);
    const phone = await bearerSession(user);
    expect((await phone.client.query("note.list")).status).toBe(200);

    const nonAdmin = await cookieSession();
    expect((await nonAdmin.client.query("admin.listUserSessions", { userId: user.id })).status).toBe(403);
    expect((await nonAdmin.client.mutate("admin.revokeUserSessions", { userId: user.id })).status).toBe(403);
    expect((await phone.client.query("note.list")).status).toBe(200);

    const listed = (await readJson(await admin.client.query("admin.listUserSessions", { email: user.email }))).result.data;
    expect(listed.sessions).toEqual([expect.objectContaining({ id: phone.sessionId, kind: "bearer" })]);
    const revoked = await admin.client.mutate("admin.revokeUserSessions", { userId: user.id, sessionId: phone.sessionId });
    expect((await readJson(revoked)).result.data).toEqual({ revoked: 1 });
    expect((await phone.client.query("note.list")).status).toBe(401);
  });
});
