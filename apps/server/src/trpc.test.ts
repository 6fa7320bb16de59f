// protectedProcedure and sessionProcedure under each credential: what a revoked session's access
// token can still do, and for how long (a fake clock, no sleeping).
import { afterAll, describe, expect, it } from "vitest";
import { CLOCK_SKEW_SECONDS, createAccessToken } from "./auth/access-token.ts";
import { createSession, invalidateSession } from "./auth/session.ts";
import {
  createTestCaller,
  createTestClock,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  TEST_PASSWORD,
} from "../../../tests/setup/server.ts";

const SECOND = 1000;
const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function bearerSession(clock = createTestClock()) {
  const user = await createTestUser(db);
  const { token, session } = await createSession(db, { userId: user.id, kind: "bearer", metadata: { userAgent: "cli", ip: null } }, config.session, clock.now());
  const bearer = await createTestCaller({ db, config, clock: clock.now }, { type: "bearer", token });
  const { accessToken } = await bearer.caller.auth.issueAccessToken();
  const withJwt = () => createTestCaller({ db, config, clock: clock.now }, { type: "jwt", token: accessToken });
  const withToken = () => createTestCaller({ db, config, clock: clock.now }, { type: "bearer", token });
  return { user, token, session, accessToken, clock, withJwt, withToken };
}

describe("a revoked session", () => {
  it("its session token is refused at once", async () => {
    const { session, withToken } = await bearerSession();
    await invalidateSession(db, session.id);
    await expect((await withToken()).caller.note.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("its access token is refused at once by sessionProcedure", async () => {
    const { session, withJwt } = await bearerSession();
    await invalidateSession(db, session.id);
    const { caller } = await withJwt();
    await expect(caller.session.revokeOthers()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "This session has ended. Sign in again." });
    await expect(caller.session.revoke({ id: session.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.auth.issueAccessToken()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("its access token is accepted by protectedProcedure only until it expires", async () => {
    const { session, withJwt, clock } = await bearerSession();
    await invalidateSession(db, session.id);
    clock.advance((config.accessToken.lifetimeSeconds + CLOCK_SKEW_SECONDS - 1) * SECOND);
    expect(await (await withJwt()).caller.note.list()).toEqual([]);
    clock.advance(1 * SECOND);
    await expect((await withJwt()).caller.note.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("sessionProcedure under an access token", () => {
  it("runs on a live session", async () => {
    const { user, withJwt } = await bearerSession();
    const other = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
    expect(await (await withJwt()).caller.session.revokeOthers()).toEqual({ revoked: 1 });
    expect(await db.session.findUnique({ where: { id: other.session.id } })).toBeNull();
  });

  it("applies the session's expiry: a session past its absolute lifetime is ended", async () => {
    const { session, withJwt, clock } = await bearerSession();
    await db.session.update({ where: { id: session.id }, data: { expiresAt: clock.now() } });
    await expect((await withJwt()).caller.session.revokeOthers()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.session.findUnique({ where: { id: session.id } })).toBeNull();
  });

  it("refuses a token whose sid belongs to another user, even one signed with our key", async () => {
    const { session: victimSession } = await bearerSession();
    const attacker = await createTestUser(db);
    const { accessToken } = createAccessToken(
      config.accessToken,
      { userId: attacker.id, sessionId: victimSession.id, email: attacker.email, name: attacker.name },
      new Date(),
    );
    const { caller } = await createTestCaller({ db, config }, { type: "jwt", token: accessToken });
    await expect(caller.session.revokeOthers()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.session.findUnique({ where: { id: victimSession.id } })).not.toBeNull();
  });

  it("changes the password and hands the rotated session token back in the body, never as a cookie", async () => {
    const { user, token, withJwt } = await bearerSession();
    const { caller, cookie } = await withJwt();
    const result = await caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" });
    expect(result.token?.startsWith(`${result.sessionId}.`)).toBe(true);
    expect(cookie).toMatchObject({ token: null, cleared: false });
    expect(await db.session.findMany({ where: { userId: user.id }, select: { id: true, kind: true } })).toEqual([
      { id: result.sessionId, kind: "bearer" },
    ]);
    await expect((await withJwt()).caller.session.revokeOthers()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      (await createTestCaller({ db, config }, { type: "bearer", token })).caller.auth.me(),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
