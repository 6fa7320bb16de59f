// Email verification through the routers, with the real outbox, worker and SMTP catcher: the mail
// each step sends is read from what arrived over SMTP.
import { afterAll, describe, expect, it } from "vitest";
import { createAccessToken } from "../auth/access-token.ts";
import { EMAIL_TOKEN_MAX_ATTEMPTS } from "../auth/email-token.ts";
import { createSession } from "../auth/session.ts";
import { readMailCode, readMailTo, readMailToken, waitForMail } from "../../../../tests/setup/mail.ts";
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

const VERIFY_SUBJECT = /^Your latchkey code is \d{6}$/;
const DAY_MS = 24 * 60 * 60_000;

async function signUp(email = uniqueEmail("verify")) {
  const { caller } = await createTestCaller({ db, config });
  await caller.auth.signUp({ email, password: TEST_PASSWORD, name: "Ada" });
  const mail = await waitForMail(email, VERIFY_SUBJECT);
  const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  return { email, userId: user.id, mail, token: readMailToken(mail, "/verify-email"), code: readMailCode(mail) };
}

async function signedIn(userId: string, options: { clock?: () => Date } = {}) {
  const { token } = await createSession(db, { userId, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return createTestCaller({ db, config, ...options }, { type: "cookie", token });
}

describe("sign-up mail", () => {
  it("carries a link and a code; its HTML part has the same link, built from APP_ORIGIN", async () => {
    const { mail, token, code } = await signUp();
    expect(mail.text).toContain(`Your code: ${code}`);
    expect(mail.text).toContain(`http://localhost:5173/verify-email#token=${token}`);
    expect(mail.html).toContain(`href="http://localhost:5173/verify-email#token=${token}"`);
    // At rest: the hashes only.
    const row = await db.emailToken.findUniqueOrThrow({ where: { id: token.split(".")[0] } });
    expect(Buffer.from(row.secretHash).toString("hex")).not.toContain(token.split(".")[1]);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(DAY_MS);
  });

  it("tells the owner of a registered address that someone tried, and issues no token", async () => {
    const owner = await createTestUser(db);
    const { caller } = await createTestCaller({ db, config });
    await caller.auth.signUp({ email: owner.email, password: "someone else's password", name: "Mallory" });
    const mail = await waitForMail(owner.email, /^Someone tried to sign up with your email$/);
    expect(mail.text).toContain("http://localhost:5173/forgot-password");
    expect(await db.emailToken.count({ where: { userId: owner.id } })).toBe(0);
  });
});

describe("verification.confirmLink", () => {
  it("verifies the address and signs in with a new cookie session; the link works once", async () => {
    const { userId, token } = await signUp();
    const browser = await createTestCaller({ db, config });
    expect(await browser.caller.verification.confirmLink({ token })).toEqual({ verified: true, token: null, secondFactor: null });
    expect(browser.cookie.token).toMatch(/^[a-z2-7]{24}\./);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt).toBeInstanceOf(Date);
    const me = await createTestCaller({ db, config }, { type: "cookie", token: browser.cookie.token! });
    expect((await me.caller.auth.me())?.user.emailVerified).toBe(true);

    const again = await createTestCaller({ db, config });
    await expect(again.caller.verification.confirmLink({ token })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "This link is not valid or has already been used. Request a new one.",
    });
    expect(again.cookie.token).toBeNull();
  });

  it("opens only a second-factor-pending session for an account with TOTP; the code completes it", async () => {
    const { userId, token } = await signUp();
    const { caller: owner } = await signedIn(userId);
    const enrolment = await owner.mfa.startTotp();
    await owner.mfa.confirmTotp({ code: computeTotpCode(enrolment.key, new Date()) });

    const browser = await createTestCaller({ db, config });
    expect(await browser.caller.verification.confirmLink({ token })).toEqual({
      verified: true,
      token: null,
      secondFactor: { methods: ["totp", "recovery_code"] },
    });
    const pending = await createTestCaller({ db, config }, { type: "cookie", token: browser.cookie.token! });
    await expect(pending.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await pending.caller.mfa.pendingMethods()).toEqual(["totp", "recovery_code"]);
    expect(await db.session.findUniqueOrThrow({ where: { id: browser.cookie.token!.split(".")[0] } })).toMatchObject({
      secondFactorPending: true,
      factors: ["email"],
    });

    await pending.caller.mfa.verify({ method: "totp", code: computeTotpCode(enrolment.key, new Date(), 1) });
    const full = await createTestCaller({ db, config }, { type: "cookie", token: pending.cookie.token! });
    expect((await full.caller.auth.me())?.user.id).toBe(userId);
    expect(await full.caller.mfa.pendingMethods()).toBeNull();
    expect(await db.session.findUniqueOrThrow({ where: { id: pending.cookie.token!.split(".")[0] } })).toMatchObject({
      secondFactorPending: false,
      factors: ["email", "totp"],
    });
  });

  it("starts a session without sudo mode: the password was not entered on it", async () => {
    const { token } = await signUp();
    const browser = await createTestCaller({ db, config });
    await browser.caller.verification.confirmLink({ token });
    const session = await createTestCaller({ db, config }, { type: "cookie", token: browser.cookie.token! });
    await expect(session.caller.account.changeEmail({ newEmail: uniqueEmail() })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Enter your password again to continue.",
    });
    await session.caller.account.changeEmail({ newEmail: uniqueEmail(), password: TEST_PASSWORD });
  });

  it("refuses an expired link with its own message and leaves the address unverified", async () => {
    const { userId, token } = await signUp();
    const clock = createTestClock(new Date(Date.now() + DAY_MS + 1_000));
    const late = await createTestCaller({ db, config, clock: clock.now });
    await expect(late.caller.verification.confirmLink({ token })).rejects.toMatchObject({ message: "This link has expired. Request a new one." });
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt).toBeNull();
  });

  it("refuses a wrong secret, and after the fifth attempt even the right one", async () => {
    const { userId, token } = await signUp();
    const [id] = token.split(".");
    const { caller } = await createTestCaller({ db, config });
    for (let attempt = 0; attempt < EMAIL_TOKEN_MAX_ATTEMPTS; attempt++) {
      await expect(caller.verification.confirmLink({ token: `${id}.${"a".repeat(52)}` })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(caller.verification.confirmLink({ token })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt).toBeNull();
  });

  it("refuses a password reset link (tokens are bound to their purpose)", async () => {
    const user = await createTestUser(db, { verified: false });
    const { caller } = await createTestCaller({ db, config });
    await caller.passwordReset.request({ email: user.email });
    const resetToken = readMailToken(await waitForMail(user.email, /^Reset your latchkey password$/), "/reset-password");
    await expect(caller.verification.confirmLink({ token: resetToken })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // The reset link itself still works.
    await caller.passwordReset.complete({ token: resetToken, newPassword: "a fresh password 42" });
  });
});

describe("verification.confirmCode", () => {
  it("verifies with the address and code, and signs in with a bearer token for transport: token", async () => {
    const { email, userId, code } = await signUp();
    const app = await createTestCaller({ db, config });
    const result = await app.caller.verification.confirmCode({ email: email.toUpperCase(), code, transport: "token" });
    expect(result.token).toMatch(/^[a-z2-7]{24}\./);
    expect(app.cookie.token).toBeNull();
    expect(await db.session.findMany({ where: { userId }, select: { kind: true } })).toEqual([{ kind: "bearer" }]);
  });

  it("counts every attempt first: of parallel wrong guesses only five are checked, then the right code fails too", async () => {
    const { email, userId, code } = await signUp();
    const wrong = code === "000000" ? "111111" : "000000";
    const { caller } = await createTestCaller({ db, config });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => caller.verification.confirmCode({ email, code: wrong })));
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    expect((await db.emailToken.findFirstOrThrow({ where: { userId } })).attempts).toBe(EMAIL_TOKEN_MAX_ATTEMPTS);
    await expect(caller.verification.confirmCode({ email, code })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("lets exactly one of parallel right codes through (single use)", async () => {
    const { email, userId, code } = await signUp();
    const callers = await Promise.all(Array.from({ length: 4 }, () => createTestCaller({ db, config })));
    const results = await Promise.allSettled(callers.map(({ caller }) => caller.verification.confirmCode({ email, code })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await db.session.count({ where: { userId } })).toBe(1);
  });

  it("does not take another user's code: not with their address under my session, nor my address with their code", async () => {
    const mine = await signUp();
    const theirs = await signUp();
    const me = await signedIn(mine.userId);
    // Signed in, the code is checked against my address, whatever the input says.
    await expect(me.caller.verification.confirmCode({ email: theirs.email, code: theirs.code })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const anonymous = await createTestCaller({ db, config });
    if (theirs.code !== mine.code) {
      await expect(anonymous.caller.verification.confirmCode({ email: mine.email, code: theirs.code })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(await db.user.count({ where: { id: { in: [mine.userId, theirs.userId] }, emailVerifiedAt: { not: null } } })).toBe(0);
    // Both codes still work for their owners.
    await me.caller.verification.confirmCode({ code: mine.code });
    await anonymous.caller.verification.confirmCode({ email: theirs.email, code: theirs.code });
  });

  it("refuses an expired code with its own message", async () => {
    const { email, code } = await signUp();
    const clock = createTestClock(new Date(Date.now() + DAY_MS + 1_000));
    const late = await createTestCaller({ db, config, clock: clock.now });
    await expect(late.caller.verification.confirmCode({ email, code })).rejects.toMatchObject({ message: "This code has expired. Request a new one." });
  });

  it("asks for the address when signed out, and for six digits", async () => {
    const { caller } = await createTestCaller({ db, config });
    await expect(caller.verification.confirmCode({ code: "123456" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Enter the email address the code was sent to." });
    await expect(caller.verification.confirmCode({ email: uniqueEmail(), code: "12345a" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("verification.resend", () => {
  it("mails a new link and code that replace the last ones", async () => {
    const first = await signUp();
    const me = await signedIn(first.userId);
    expect(await me.caller.verification.resend({})).toEqual({ sent: true });
    const second = await waitForMail(first.email, VERIFY_SUBJECT, { count: 2 });
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.verification.confirmLink({ token: first.token })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await anonymous.caller.verification.confirmLink({ token: readMailToken(second, "/verify-email") });
  });

  it("answers the same for verified and unknown addresses, and mails neither", async () => {
    const verified = await createTestUser(db);
    const unknown = uniqueEmail("nobody");
    const { caller } = await createTestCaller({ db, config });
    expect(await caller.verification.resend({ email: verified.email })).toEqual({ sent: true });
    expect(await caller.verification.resend({ email: unknown })).toEqual({ sent: true });
    expect(await db.outboxMessage.count({ where: { to: { in: [verified.email, unknown] } } })).toBe(0);
    expect(await readMailTo(verified.email)).toEqual([]);
  });

  it("is limited per address, for known and unknown addresses alike", async () => {
    const limited = createTestConfig({ RATE_LIMIT_MAIL_PER_ADDRESS: "2" });
    const known = await createTestUser(db, { verified: false });
    for (const email of [known.email, uniqueEmail("nobody")]) {
      const { caller } = await createTestCaller({ db, config: limited, ip: "192.0.2.77" });
      await caller.verification.resend({ email });
      await caller.verification.resend({ email });
      await expect(caller.verification.resend({ email })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    }
  });
});

describe("verifiedProcedure (EMAIL_VERIFICATION)", () => {
  it("required: an unverified user can sign in and verify, but features answer FORBIDDEN until then", async () => {
    const { userId, code } = await signUp();
    const me = await signedIn(userId);
    expect((await me.caller.auth.me())?.emailVerification).toBe("required");
    const error = await me.caller.note.list().catch((caught) => caught);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "Verify your email address to continue." });
    await me.caller.verification.confirmCode({ code });
    expect(await (await signedIn(userId)).caller.note.list()).toEqual([]);
  });

  it("optional and off: an unverified user uses every feature", async () => {
    const user = await createTestUser(db, { verified: false });
    for (const mode of ["optional", "off"]) {
      const { token } = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
      const { caller } = await createTestCaller({ db, config: createTestConfig({ EMAIL_VERIFICATION: mode }) }, { type: "cookie", token });
      expect(await caller.note.list()).toEqual([]);
    }
  });

  it("under an access token: trusts email_verified, and re-reads the row when it says unverified", async () => {
    const user = await createTestUser(db, { verified: false });
    const { session } = await createSession(db, { userId: user.id, kind: "bearer", metadata: { userAgent: null, ip: null } }, config.session, new Date());
    const issue = (emailVerified: boolean) =>
      createAccessToken(config.accessToken, { userId: user.id, sessionId: session.id, email: user.email, name: user.name, emailVerified }, new Date()).accessToken;
    const stale = await createTestCaller({ db, config }, { type: "jwt", token: issue(false) });
    await expect(stale.caller.note.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await db.user.update({ where: { id: user.id }, data: { emailVerifiedAt: new Date() } });
    expect(await stale.caller.note.list()).toEqual([]);
  });
});
