import { afterAll, describe, expect, it } from "vitest";
import { createAccessToken } from "../auth/access-token.ts";
import { createSession } from "../auth/session.ts";
import { waitForMail } from "../../../../tests/setup/mail.ts";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function signedIn(userId: string, kind: "cookie" | "bearer" = "cookie") {
  const { token, session } = await createSession(db, { userId, kind, metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return { token, session, ...(await createTestCaller({ db, config }, { type: kind, token })) };
}

describe("account.changePassword", () => {
  it("needs the current password and changes nothing without it", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    await expect(
      current.caller.account.changePassword({ currentPassword: "wrong password", newPassword: "a brand new password" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The current password is incorrect." });
    const anonymous = await createTestCaller({ db, config });
    await anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
  });

  it("refuses a common new password with a field error and keeps the old one (ASVS 5.0 6.2.4)", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    const error = await current.caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "Password123" }).catch((e) => e);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause.issues).toMatchObject([{ path: ["newPassword"], message: "This is one of the most common passwords. Choose one that is harder to guess." }]);
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD })).resolves.toMatchObject({ user: { id: user.id } });
  });

  it("revokes every other session, rotates the current one and takes the new password", async () => {
    const user = await createTestUser(db);
    const other = await signedIn(user.id, "bearer");
    const current = await signedIn(user.id);
    const result = await current.caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" });

    expect(result.sessionId).not.toBe(current.session.id);
    expect(current.cookie.token).not.toBeNull();
    expect(current.cookie.token!.startsWith(`${result.sessionId}.`)).toBe(true);
    const remaining = await db.session.findMany({ where: { userId: user.id }, select: { id: true, kind: true } });
    expect(remaining).toEqual([{ id: result.sessionId, kind: "cookie" }]);
    for (const token of [other.token, current.token]) {
      const stale = await createTestCaller({ db, config }, { type: "cookie", token });
      await expect(stale.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }

    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await anonymous.caller.auth.signIn({ email: user.email, password: "a brand new password" });
  });

  it("mails the owner that the password was changed", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    await current.caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" });
    const notice = await waitForMail(user.email, /^Your latchkey password was changed$/);
    expect(notice.text).toContain("every device was signed out");
  });

  it("returns the rotated token in the body for a bearer session and sets no cookie", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id, "bearer");
    const result = await current.caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "another new password" });
    expect(result.token?.startsWith(`${result.sessionId}.`)).toBe(true);
    expect(current.cookie.token).toBeNull();
  });
});

describe("account.get", () => {
  it("returns the account with its role and nothing secret", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    const account = await current.caller.account.get();
    expect(account).toEqual({ ...user, role: "user", createdAt: expect.any(Date) });
    expect(JSON.stringify(account)).not.toContain("argon2");
  });
});

describe("account.delete", () => {
  it("deletes the user with every session and note, clears the cookie, and the token fails next", async () => {
    const user = await createTestUser(db);
    const bystander = await createTestUser(db);
    await db.note.createMany({ data: [{ ownerId: user.id, title: "mine" }, { ownerId: bystander.id, title: "theirs" }] });
    const phone = await signedIn(user.id, "bearer");
    const current = await signedIn(user.id);

    expect(await current.caller.account.delete()).toEqual({ deleted: true });
    expect(current.cookie.cleared).toBe(true);
    expect(await db.user.count({ where: { id: user.id } })).toBe(0);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
    expect(await db.note.count({ where: { ownerId: bystander.id } })).toBe(1);
    for (const [type, token] of [["cookie", current.token], ["bearer", phone.token]] as const) {
      await expect((await createTestCaller({ db, config }, { type, token })).caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("sets no cookie for a bearer session", async () => {
    const current = await signedIn((await createTestUser(db)).id, "bearer");
    expect(await current.caller.account.delete()).toEqual({ deleted: true });
    expect(current.cookie).toMatchObject({ token: null, cleared: false });
  });
});

describe("after account deletion", () => {
  it("answers a still-valid access token's write with UNAUTHORIZED, not a server error", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id, "bearer");
    const { accessToken } = createAccessToken(
      config.accessToken,
      { userId: user.id, sessionId: current.session.id, email: user.email, name: user.name },
      new Date(),
    );
    await current.caller.account.delete({ password: TEST_PASSWORD });

    const withToken = await createTestCaller({ db, config }, { type: "jwt", token: accessToken });
    await expect(withToken.caller.note.create({ title: "after deletion" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "This session has ended. Sign in again.",
    });
  });
});
