import { afterAll, describe, expect, it } from "vitest";
import { createSession } from "../auth/session.ts";
import { createTestCaller, createTestClock, createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function signedIn(userId: string, kind: "cookie" | "bearer" = "cookie", clock = createTestClock()) {
  const { token, session } = await createSession(db, { userId, kind, metadata: { userAgent: "vitest", ip: "192.0.2.1" } }, config.session, clock.now());
  return { token, session, ...(await createTestCaller({ db, config, clock: clock.now }, { type: kind, token })) };
}

describe("admin router", () => {
  it("is FORBIDDEN for a user who is not an admin, and changes nothing", async () => {
    const user = await createTestUser(db);
    const victim = await createTestUser(db);
    const victimSession = await signedIn(victim.id);
    const { caller } = await signedIn(user.id);
    const forbidden = { code: "FORBIDDEN", message: "This needs an administrator account." };
    await expect(caller.admin.listUserSessions({ userId: victim.id })).rejects.toMatchObject(forbidden);
    await expect(caller.admin.revokeUserSessions({ userId: victim.id })).rejects.toMatchObject(forbidden);
    expect(await db.session.count({ where: { id: victimSession.session.id } })).toBe(1);
    await expect((await createTestCaller({ db, config })).caller.admin.listUserSessions({ userId: victim.id })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("lists another user's sessions by id or by email, without secrets", async () => {
    const admin = await signedIn((await createTestUser(db, { role: "admin" })).id);
    const user = await createTestUser(db, { name: "Alan" });
    const laptop = await signedIn(user.id);
    const phone = await signedIn(user.id, "bearer");
    const byId = await admin.caller.admin.listUserSessions({ userId: user.id });
    expect(byId.user).toEqual({ id: user.id, email: user.email, name: user.name, role: "user", createdAt: expect.any(Date) });
    expect(byId.sessions.map((session) => session.id).sort()).toEqual([laptop.session.id, phone.session.id].sort());
    expect(byId.sessions[0]).toMatchObject({ ip: "192.0.2.1", userAgent: "vitest", current: false });
    expect(JSON.stringify(byId)).not.toMatch(/secretHash|passwordHash/);
    expect(await admin.caller.admin.listUserSessions({ email: user.email.toUpperCase() })).toEqual(byId);
    await expect(admin.caller.admin.listUserSessions({ email: "nobody@test.latchkey.dev" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("terminates one session or all of another user's sessions; their tokens fail on the next request", async () => {
    const admin = await signedIn((await createTestUser(db, { role: "admin" })).id);
    const user = await createTestUser(db);
    const laptop = await signedIn(user.id);
    const phone = await signedIn(user.id, "bearer");
    const tablet = await signedIn(user.id);

    expect(await admin.caller.admin.revokeUserSessions({ userId: user.id, sessionId: laptop.session.id })).toEqual({ revoked: 1 });
    await expect((await createTestCaller({ db, config }, { type: "cookie", token: laptop.token })).caller.note.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await (await createTestCaller({ db, config }, { type: "bearer", token: phone.token })).caller.note.list()).toEqual([]);

    expect(await admin.caller.admin.revokeUserSessions({ userId: user.id })).toEqual({ revoked: 2 });
    for (const [type, token] of [["bearer", phone.token], ["cookie", tablet.token]] as const) {
      await expect((await createTestCaller({ db, config }, { type, token })).caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    // The admin's own session is untouched and keeps its cookie.
    expect(admin.cookie.cleared).toBe(false);
    expect(await db.session.count({ where: { id: admin.session.id } })).toBe(1);
  });

  it("answers NOT_FOUND for a session that is not that user's and ends nothing", async () => {
    const admin = await signedIn((await createTestUser(db, { role: "admin" })).id);
    const user = await createTestUser(db);
    const other = await signedIn((await createTestUser(db)).id);
    await expect(admin.caller.admin.revokeUserSessions({ userId: user.id, sessionId: other.session.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db.session.count({ where: { id: other.session.id } })).toBe(1);
  });

  it("re-reads the role on every call: a demoted admin is refused at once", async () => {
    const adminUser = await createTestUser(db, { role: "admin" });
    const admin = await signedIn(adminUser.id);
    await admin.caller.admin.listUserSessions({ userId: adminUser.id });
    await db.user.update({ where: { id: adminUser.id }, data: { role: "user" } });
    await expect(admin.caller.admin.listUserSessions({ userId: adminUser.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("needs a recent password check to terminate sessions (sudo mode)", async () => {
    const clock = createTestClock();
    const admin = await signedIn((await createTestUser(db, { role: "admin" })).id, "cookie", clock);
    const user = await createTestUser(db);
    const laptop = await signedIn(user.id);
    clock.advance(config.reauthenticationWindowMs);
    await expect(admin.caller.admin.revokeUserSessions({ userId: user.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Enter your password again to continue.",
    });
    expect(await db.session.count({ where: { id: laptop.session.id } })).toBe(1);
  });

  it("shows a user's MFA status and resets it in admin sudo mode, ending every session of theirs", async () => {
    const clock = createTestClock();
    const adminUser = await createTestUser(db, { role: "admin" });
    const stale = await signedIn(adminUser.id, "cookie", clock);
    const user = await createTestUser(db);
    await db.totpKey.create({ data: { userId: user.id, encryptedKey: new Uint8Array(40), confirmedAt: new Date() } });
    await db.passkey.create({ data: { id: crypto.randomUUID(), userId: user.id, name: "Key", publicKey: new Uint8Array(8), counter: 0n, backedUp: false } });
    await db.recoveryCode.create({ data: { id: crypto.randomUUID(), userId: user.id, codeHash: new Uint8Array(32) } });
    const device = await signedIn(user.id);
    expect((await stale.caller.admin.listUserSessions({ userId: user.id })).mfa).toEqual({ totp: true, passkeys: 1, recoveryCodesLeft: 1 });

    const ordinary = await signedIn(user.id);
    await expect(ordinary.caller.admin.resetUserMfa({ userId: user.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    clock.advance(config.reauthenticationWindowMs);
    await expect(stale.caller.admin.resetUserMfa({ userId: user.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.totpKey.count({ where: { userId: user.id } })).toBe(1);

    const admin = await signedIn(adminUser.id, "cookie", clock);
    expect(await admin.caller.admin.resetUserMfa({ userId: user.id })).toEqual({ revoked: 2 });
    expect((await admin.caller.admin.listUserSessions({ userId: user.id })).mfa).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    await expect((await createTestCaller({ db, config }, { type: "cookie", token: device.token })).caller.auth.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(admin.caller.admin.resetUserMfa({ userId: "no-such-user" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
