// Sudo mode through the routers: the sensitive procedures need a recent password check on the
// session (auth.reauthenticate, or `password` in the same call), under every kind of credential.
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestCaller,
  createTestClock,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  TEST_PASSWORD,
} from "../../../../tests/setup/server.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { createSession } from "./session.ts";

const MINUTE = 60_000;
const WINDOW_MINUTES = 10;
const db = createTestDatabase();
const config = createTestConfig({ REAUTHENTICATION_WINDOW_MINUTES: String(WINDOW_MINUTES) });
afterAll(() => db.$disconnect());

const REAUTHENTICATION_REQUIRED = { code: "FORBIDDEN", message: "Enter your password again to continue." };

/** A user with a cookie session signed in at the clock's start, and a second device to revoke. */
async function signedIn(options: { kind?: "cookie" | "bearer" } = {}) {
  const clock = createTestClock();
  const user = await createTestUser(db);
  const kind = options.kind ?? "cookie";
  const metadata = { userAgent: "vitest", ip: "127.0.0.1" };
  const current = await createSession(db, { userId: user.id, kind, metadata }, config.session, clock.now());
  const other = await createSession(db, { userId: user.id, kind: "bearer", metadata }, config.session, clock.now());
  const rateLimiter = createRateLimiter(config.rateLimit.policy, { type: "memory" });
  const call = (token = current.token) => createTestCaller({ db, config, clock: clock.now, rateLimiter }, { type: kind, token });
  const otherStillThere = async () => (await db.session.count({ where: { id: other.session.id } })) === 1;
  return { user, clock, current, other, call, otherStillThere, rateLimiter };
}

describe("sudo mode", () => {
  it("lets a session signed in within the window end every other session without the password", async () => {
    const { clock, call, otherStillThere } = await signedIn();
    clock.advance((WINDOW_MINUTES - 1) * MINUTE);
    expect(await (await call()).caller.session.revokeOthers()).toEqual({ revoked: 1 });
    expect(await otherStillThere()).toBe(false);
  });

  it("refuses a stale session with FORBIDDEN (reauthentication required) and changes nothing", async () => {
    const { clock, call, otherStillThere, user } = await signedIn();
    clock.advance(WINDOW_MINUTES * MINUTE);
    const { caller, cookie } = await call();
    await expect(caller.session.revokeOthers()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);
    await expect(caller.account.delete()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);
    expect(await otherStillThere()).toBe(true);
    expect(await db.user.count({ where: { id: user.id } })).toBe(1);
    expect(cookie.cleared).toBe(false);
  });

  it("auth.reauthenticate replaces the session (new token, old one ended) and opens one window", async () => {
    const { clock, current, call, otherStillThere } = await signedIn();
    clock.advance(60 * MINUTE);
    const { caller, cookie } = await call();
    const result = await caller.auth.reauthenticate({ password: TEST_PASSWORD });
    expect(result).toEqual({
      reauthenticatedUntil: new Date(clock.now().getTime() + WINDOW_MINUTES * MINUTE),
      sessionId: expect.any(String),
      token: null,
    });
    // A browser gets the new token as its cookie; the old token is dead.
    const token = cookie.token!;
    expect(token.startsWith(`${result.sessionId}.`)).toBe(true);
    expect(result.sessionId).not.toBe(current.session.id);
    await expect((await call()).caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.session.findUniqueOrThrow({ where: { id: result.sessionId }, select: { kind: true, authenticatedAt: true } })).toEqual({
      kind: "cookie",
      authenticatedAt: clock.now(),
    });

    expect(await (await call(token)).caller.session.revokeOthers()).toEqual({ revoked: 1 });
    expect(await otherStillThere()).toBe(false);
    clock.advance(WINDOW_MINUTES * MINUTE);
    await expect((await call(token)).caller.session.revokeOthers()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);
  });

  it("accepts a stale session that sends the password with the call, for that call only", async () => {
    const { clock, call, otherStillThere } = await signedIn();
    clock.advance(60 * MINUTE);
    expect(await (await call()).caller.session.revokeOthers({ password: TEST_PASSWORD })).toEqual({ revoked: 1 });
    expect(await otherStillThere()).toBe(false);
    // No window opens and the token stays: the next sensitive call needs the password again.
    await expect((await call()).caller.account.delete()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);
    expect(await (await call()).caller.account.delete({ password: TEST_PASSWORD })).toEqual({ deleted: true });
  });

  it("answers a wrong password with BAD_REQUEST and opens no window", async () => {
    const { clock, call, otherStillThere } = await signedIn();
    clock.advance(60 * MINUTE);
    const { caller } = await call();
    const wrong = { code: "BAD_REQUEST", message: "The password is incorrect." };
    await expect(caller.auth.reauthenticate({ password: "not the password" })).rejects.toMatchObject(wrong);
    await expect(caller.session.revokeOthers({ password: "not the password" })).rejects.toMatchObject(wrong);
    await expect(caller.session.revokeOthers()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);
    expect(await otherStillThere()).toBe(true);
  });

  it("throttles wrong passwords with the sign-in counters: a stolen session cannot guess freely", async () => {
    const limited = createTestConfig({ RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "2" });
    const clock = createTestClock();
    const user = await createTestUser(db);
    const { token } = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, limited.session, clock.now());
    const rateLimiter = createRateLimiter(limited.rateLimit.policy, { type: "memory" });
    const { caller } = await createTestCaller({ db, config: limited, clock: clock.now, rateLimiter }, { type: "cookie", token });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(caller.auth.reauthenticate({ password: "guess" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(caller.auth.reauthenticate({ password: "guess" })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many attempts. Try again in 15 minutes.",
    });
    await expect(caller.auth.reauthenticate({ password: TEST_PASSWORD })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // The same account and IP cannot sign in either until the block ends.
    const anonymous = await createTestCaller({ db, config: limited, rateLimiter });
    await expect(anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("decides by the session row under an access token; re-authenticating returns the new session token", async () => {
    const { clock, current, call, otherStillThere, rateLimiter } = await signedIn({ kind: "bearer" });
    clock.advance(WINDOW_MINUTES * MINUTE);
    // Issued now (tokens outlive no window): signed by us and live, yet the session's check is stale.
    const { accessToken } = await (await call()).caller.auth.issueAccessToken();
    const withJwt = () => createTestCaller({ db, config, clock: clock.now, rateLimiter }, { type: "jwt", token: accessToken });
    await expect((await withJwt()).caller.session.revokeOthers()).rejects.toMatchObject(REAUTHENTICATION_REQUIRED);

    const { token, sessionId } = await (await withJwt()).caller.auth.reauthenticate({ password: TEST_PASSWORD });
    expect(token?.startsWith(`${sessionId}.`)).toBe(true);
    expect(await db.session.count({ where: { id: current.session.id } })).toBe(0);
    // The access token's session has ended; the new bearer token carries on.
    await expect((await withJwt()).caller.session.revokeOthers()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await (await call(token!)).caller.session.revokeOthers()).toEqual({ revoked: 1 });
    expect(await otherStillThere()).toBe(false);
  });

  it("does not ask a password change for more: the current password is the re-authentication", async () => {
    const { clock, call } = await signedIn();
    clock.advance(60 * MINUTE);
    const result = await (await call()).caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" });
    expect(result.sessionId).toEqual(expect.any(String));
  });
});
