// Password reset and email change through the routers, reading the mail that arrived over SMTP.
import { afterAll, describe, expect, it } from "vitest";
import { EMAIL_TOKEN_MAX_ATTEMPTS } from "../auth/email-token.ts";
import { createSession } from "../auth/session.ts";
import { readMailTo, readMailToken, waitForMail } from "../../../../tests/setup/mail.ts";
import { computeTotpCode } from "../../../../tests/setup/totp.ts";
import {
  createTestCaller,
  createTestClock,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  TEST_PASSWORD,
  uniqueEmail,
} from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

const RESET_SUBJECT = /^Reset your latchkey password$/;
const CHANGED_SUBJECT = /^Your latchkey password was changed$/;
const NEW_PASSWORD = "a brand new password 7";
const MINUTE_MS = 60_000;

async function signedIn(userId: string, kind: "cookie" | "bearer" = "cookie", options: { clock?: () => Date } = {}) {
  const { token, session } = await createSession(db, { userId, kind, metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return { token, session, ...(await createTestCaller({ db, config, ...options }, { type: kind, token })) };
}

/** Requests a reset and reads the link from the `count`-th reset mail to `email`. */
async function requestReset(email: string, count = 1) {
  const { caller } = await createTestCaller({ db, config });
  expect(await caller.passwordReset.request({ email })).toEqual({ sent: true });
  return readMailToken(await waitForMail(email, RESET_SUBJECT, { count }), "/reset-password");
}

async function canSignIn(email: string, password: string): Promise<boolean> {
  const { caller } = await createTestCaller({ db, config });
  return caller.auth.signIn({ email, password }).then(
    () => true,
    () => false,
  );
}

describe("passwordReset.request", () => {
  it("mails a 30-minute link to a registered address, and nothing for an unknown one, with the same answer", async () => {
    const user = await createTestUser(db);
    const token = await requestReset(user.email);
    const row = await db.emailToken.findUniqueOrThrow({ where: { id: token.split(".")[0] } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(30 * MINUTE_MS);

    const unknown = uniqueEmail("nobody");
    const { caller } = await createTestCaller({ db, config });
    expect(await caller.passwordReset.request({ email: unknown })).toEqual({ sent: true });
    expect(await db.outboxMessage.count({ where: { to: unknown } })).toBe(0);
  });

  it("is limited per address and per IP, for known and unknown addresses alike", async () => {
    const perAddress = createTestConfig({ RATE_LIMIT_MAIL_PER_ADDRESS: "1" });
    const known = await createTestUser(db);
    for (const email of [known.email, uniqueEmail("nobody")]) {
      const { caller } = await createTestCaller({ db, config: perAddress });
      await caller.passwordReset.request({ email });
      await expect(caller.passwordReset.request({ email })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    }
    const perIp = createTestConfig({ RATE_LIMIT_MAIL_PER_IP: "2" });
    const { caller } = await createTestCaller({ db, config: perIp });
    await caller.passwordReset.request({ email: uniqueEmail() });
    await caller.passwordReset.request({ email: known.email });
    await expect(caller.passwordReset.request({ email: uniqueEmail() })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });
});

describe("passwordReset.complete", () => {
  it("changes the password, ends every session, signs in on a fresh one and mails the notice", async () => {
    const user = await createTestUser(db);
    const laptop = await signedIn(user.id);
    const phone = await signedIn(user.id, "bearer");
    const token = await requestReset(user.email);

    const browser = await createTestCaller({ db, config });
    expect(await browser.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).toEqual({ reset: true, token: null, secondFactor: null });
    const fresh = browser.cookie.token!;
    expect(await db.session.findMany({ where: { userId: user.id }, select: { id: true } })).toEqual([{ id: fresh.split(".")[0] }]);
    for (const old of [laptop, phone]) {
      const stale = await createTestCaller({ db, config }, { type: old.session.kind, token: old.token });
      await expect(stale.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(await canSignIn(user.email, TEST_PASSWORD)).toBe(false);
    expect(await canSignIn(user.email, NEW_PASSWORD)).toBe(true);
    const notice = await waitForMail(user.email, CHANGED_SUBJECT);
    expect(notice.text).toContain("http://localhost:5173/forgot-password");
  });

  it("an account with TOTP: refused without a code or with a wrong one (the link still works), done with a TOTP code or a recovery code", async () => {
    const user = await createTestUser(db);
    const { caller: owner } = await signedIn(user.id);
    const enrolment = await owner.mfa.startTotp();
    const { recoveryCodes } = await owner.mfa.confirmTotp({ code: computeTotpCode(enrolment.key, new Date()) });

    const token = await requestReset(user.email);
    const browser = await createTestCaller({ db, config });
    expect(await browser.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).toEqual({
      reset: false,
      token: null,
      secondFactor: { methods: ["totp", "recovery_code"] },
    });
    await expect(
      browser.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD, secondFactor: { method: "totp", code: "000000" } }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      browser.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD, secondFactor: { method: "recovery_code", code: "not-a-recovery-code" } }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(browser.cookie.token).toBeNull();
    expect(await canSignIn(user.email, TEST_PASSWORD)).toBe(true);

    // The next time step's code (the confirmation used this one): reset, and a full session that records it.
    const done = await browser.caller.passwordReset.complete({
      token,
      newPassword: NEW_PASSWORD,
      secondFactor: { method: "totp", code: computeTotpCode(enrolment.key, new Date(), 1) },
    });
    expect(done).toEqual({ reset: true, token: null, secondFactor: null });
    const session = await db.session.findUniqueOrThrow({ where: { id: browser.cookie.token!.split(".")[0] } });
    expect(session).toMatchObject({ secondFactorPending: false, factors: ["password", "totp"] });
    const fresh = await createTestCaller({ db, config }, { type: "cookie", token: browser.cookie.token! });
    expect((await fresh.caller.auth.me())?.user.id).toBe(user.id);

    // A recovery code does it too, once.
    const second = await requestReset(user.email, 2);
    const other = await createTestCaller({ db, config });
    const recovery = { method: "recovery_code" as const, code: recoveryCodes[0]! };
    expect(await other.caller.passwordReset.complete({ token: second, newPassword: "a third new password 8", secondFactor: recovery })).toMatchObject({
      reset: true,
    });
    expect(await canSignIn(user.email, "a third new password 8")).toBe(true);
    const third = await requestReset(user.email, 3);
    await expect(
      other.caller.passwordReset.complete({ token: third, newPassword: "a fourth new password 9", secondFactor: recovery }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("works once", async () => {
    const user = await createTestUser(db);
    const token = await requestReset(user.email);
    const { caller } = await createTestCaller({ db, config });
    await caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD });
    await expect(caller.passwordReset.complete({ token, newPassword: "yet another password" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "This link is not valid or has already been used. Request a new one.",
    });
    expect(await canSignIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it("refuses a link older than 30 minutes and keeps the old password", async () => {
    const user = await createTestUser(db);
    const token = await requestReset(user.email);
    const late = await createTestCaller({ db, config, clock: createTestClock(new Date(Date.now() + 31 * MINUTE_MS)).now });
    await expect(late.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      message: "This link has expired. Request a new one.",
    });
    expect(await canSignIn(user.email, TEST_PASSWORD)).toBe(true);
  });

  it("counts wrong secrets against the link: after five, the real one fails too", async () => {
    const user = await createTestUser(db);
    const token = await requestReset(user.email);
    const [id] = token.split(".");
    const { caller } = await createTestCaller({ db, config });
    // In parallel, as an attacker would: still exactly five checks.
    const guesses = Array.from({ length: 8 }, (_, index) => caller.passwordReset.complete({ token: `${id}.${String(index).repeat(52)}`, newPassword: NEW_PASSWORD }));
    expect((await Promise.allSettled(guesses)).every((result) => result.status === "rejected")).toBe(true);
    expect((await db.emailToken.findUniqueOrThrow({ where: { id } })).attempts).toBe(EMAIL_TOKEN_MAX_ATTEMPTS);
    await expect(caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await canSignIn(user.email, TEST_PASSWORD)).toBe(true);
  });

  it("refuses another user's or another purpose's token, and malformed ones", async () => {
    const { caller } = await createTestCaller({ db, config });
    await caller.auth.signUp({ email: uniqueEmail("other"), password: TEST_PASSWORD, name: "Other" });
    for (const token of ["", "not-a-token", "a".repeat(201)]) {
      await expect(caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    const unverified = await createTestUser(db, { verified: false });
    await caller.verification.resend({ email: unverified.email });
    const verifyToken = readMailToken(await waitForMail(unverified.email, /code is/), "/verify-email");
    await expect(caller.passwordReset.complete({ token: verifyToken, newPassword: NEW_PASSWORD })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await canSignIn(unverified.email, TEST_PASSWORD)).toBe(true);
  });

  it("verifies an unverified address (the link proved it) and returns a bearer token for transport: token", async () => {
    const user = await createTestUser(db, { verified: false });
    const token = await requestReset(user.email);
    const app = await createTestCaller({ db, config });
    const result = await app.caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD, transport: "token" });
    expect(result.token).toMatch(/^[a-z2-7]{24}\./);
    expect(app.cookie.token).toBeNull();
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("lets a user who signs in only through a provider (no password) set one", async () => {
    const user = await createTestUser(db);
    await db.user.update({ where: { id: user.id }, data: { passwordHash: null } });
    expect(await canSignIn(user.email, NEW_PASSWORD)).toBe(false);

    const token = await requestReset(user.email);
    const { caller } = await createTestCaller({ db, config });
    expect(await caller.passwordReset.complete({ token, newPassword: NEW_PASSWORD })).toMatchObject({ reset: true });
    expect(await canSignIn(user.email, NEW_PASSWORD)).toBe(true);
  });
});

describe("account.changeEmail and account.confirmEmailChange", () => {
  it("needs sudo mode", async () => {
    const user = await createTestUser(db);
    const later = createTestClock(new Date(Date.now() + 11 * MINUTE_MS));
    const current = await signedIn(user.id, "cookie", { clock: later.now });
    const newEmail = uniqueEmail();
    await expect(current.caller.account.changeEmail({ newEmail })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Enter your password again to continue.",
    });
    expect(await db.emailToken.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.outboxMessage.count({ where: { to: newEmail } })).toBe(0);
  });

  it("mails the new address a link and the old one a notice; the address changes only once the link is used", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    const newEmail = uniqueEmail("new");
    expect(await current.caller.account.changeEmail({ newEmail: newEmail.toUpperCase() })).toEqual({ sentTo: newEmail });
    const confirm = readMailToken(await waitForMail(newEmail, /^Confirm your new latchkey email$/), "/confirm-email-change");
    const notice = await waitForMail(user.email, /^Your latchkey email is being changed$/);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).toContain("http://localhost:5173/reset-password#token=");
    expect((await current.caller.account.get()).email).toBe(user.email);

    const elsewhere = await createTestCaller({ db, config });
    expect(await elsewhere.caller.account.confirmEmailChange({ token: confirm })).toEqual({ email: newEmail });
    expect(elsewhere.cookie.token).toBeNull();
    expect(await current.caller.account.get()).toMatchObject({ email: newEmail, emailVerified: true });
    await expect(elsewhere.caller.account.confirmEmailChange({ token: confirm })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await canSignIn(newEmail, TEST_PASSWORD)).toBe(true);
  });

  it("gives the old address a way back: its reset link restores the address and ends every session", async () => {
    const user = await createTestUser(db);
    const intruder = await signedIn(user.id);
    const newEmail = uniqueEmail("intruder");
    await intruder.caller.account.changeEmail({ newEmail });
    const confirm = readMailToken(await waitForMail(newEmail, /^Confirm your new/), "/confirm-email-change");
    const secure = readMailToken(await waitForMail(user.email, /is being changed$/), "/reset-password");
    const { caller } = await createTestCaller({ db, config });
    await caller.account.confirmEmailChange({ token: confirm });

    const owner = await createTestCaller({ db, config });
    await owner.caller.passwordReset.complete({ token: secure, newPassword: NEW_PASSWORD });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { email: true } })).toEqual({ email: user.email });
    await expect((await createTestCaller({ db, config }, { type: "cookie", token: intruder.token })).caller.auth.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await canSignIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it("refuses the link when another account took the address meanwhile, and keeps it unspent", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    const newEmail = uniqueEmail("contested");
    await current.caller.account.changeEmail({ newEmail });
    const confirm = readMailToken(await waitForMail(newEmail, /^Confirm your new/), "/confirm-email-change");
    const squatter = await createTestUser(db, { email: newEmail });
    const { caller } = await createTestCaller({ db, config });
    await expect(caller.account.confirmEmailChange({ token: confirm })).rejects.toMatchObject({ code: "CONFLICT" });
    await db.user.delete({ where: { id: squatter.id } });
    expect(await caller.account.confirmEmailChange({ token: confirm })).toEqual({ email: newEmail });
  });

  it("refuses the current address and an expired link", async () => {
    const user = await createTestUser(db);
    const current = await signedIn(user.id);
    await expect(current.caller.account.changeEmail({ newEmail: user.email })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const newEmail = uniqueEmail("slow");
    await current.caller.account.changeEmail({ newEmail });
    const confirm = readMailToken(await waitForMail(newEmail, /^Confirm your new/), "/confirm-email-change");
    const late = await createTestCaller({ db, config, clock: createTestClock(new Date(Date.now() + 25 * 60 * MINUTE_MS)).now });
    await expect(late.caller.account.confirmEmailChange({ token: confirm })).rejects.toMatchObject({ message: "This link has expired. Request a new one." });
    expect(await readMailTo(newEmail)).toHaveLength(1);
  });
});
