// TOTP, recovery codes and the two-step sign-in through the router on a real database: every state
// (pending, full, sudo) and failure (wrong, replayed, expired code; reuse; limits under parallel calls).
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestCaller,
  createTestClock,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  signInWithPassword,
  TEST_PASSWORD,
} from "../../../../tests/setup/server.ts";
import { computeTotpCode } from "../../../../tests/setup/totp.ts";
import { createRateLimiter, type RateLimiter } from "../auth/rate-limit.ts";
import type { Config } from "../env.ts";

const STEP_MS = 30_000;
const MINUTE_MS = 60_000;
const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

type Clock = ReturnType<typeof createTestClock>;

function callerFor(token: string, clock: Clock, options: { config?: Config; rateLimiter?: RateLimiter } = {}) {
  return createTestCaller({ db, config: options.config ?? config, clock: clock.now, rateLimiter: options.rateLimiter }, { type: "cookie", token });
}

const signIn = (email: string, clock: Clock, options: { config?: Config; rateLimiter?: RateLimiter } = {}) =>
  signInWithPassword({ db, config: options.config ?? config, clock: clock.now, rateLimiter: options.rateLimiter }, email);

/** A password sign-in completed with the next step's TOTP code: the full session's caller. */
async function signInWithTotp(user: { email: string }, key: string, clock: Clock) {
  clock.advance(STEP_MS);
  const pending = await callerFor((await signIn(user.email, clock)).token, clock);
  await pending.caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) });
  const token = pending.cookie.token!;
  return { token, ...(await callerFor(token, clock)) };
}

/** A user with TOTP on: signed in, enrolled and confirmed at `clock`'s time step. */
async function createTotpUser(clock: Clock) {
  const user = await createTestUser(db);
  const { token } = await signIn(user.email, clock);
  const { caller } = await callerFor(token, clock);
  const enrolment = await caller.mfa.startTotp();
  const { recoveryCodes } = await caller.mfa.confirmTotp({ code: computeTotpCode(enrolment.key, clock.now()) });
  return { user, key: enrolment.key, recoveryCodes };
}

describe("TOTP enrolment", () => {
  it("counts only once confirmed with a code; stores the key encrypted; gives ten recovery codes once", async () => {
    const clock = createTestClock();
    const user = await createTestUser(db);
    const { token } = await signIn(user.email, clock);
    const { caller } = await callerFor(token, clock);
    const enrolment = await caller.mfa.startTotp();
    expect(enrolment.keyUri).toMatch(/^otpauth:\/\/totp\/latchkey:.*secret=[A-Z2-7]{32}&period=30&digits=6$/);
    expect(await caller.mfa.status()).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    // Not active yet: signing in still needs only the password.
    expect((await signIn(user.email, clock)).result.secondFactor).toBeNull();

    await expect(caller.mfa.confirmTotp({ code: computeTotpCode(enrolment.key, clock.now(), 5) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const { recoveryCodes } = await caller.mfa.confirmTotp({ code: computeTotpCode(enrolment.key, clock.now()) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await caller.mfa.status()).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });

    const row = await db.totpKey.findUniqueOrThrow({ where: { userId: user.id } });
    const rawKey = Buffer.from(enrolment.key.toLowerCase(), "utf8");
    expect(Buffer.from(row.encryptedKey).includes(rawKey)).toBe(false);
    const stored = await db.recoveryCode.findMany({ where: { userId: user.id }, select: { codeHash: true } });
    expect(stored.map((code) => Buffer.from(code.codeHash).toString())).not.toContain(recoveryCodes[0]);
    // A second enrolment cannot replace an active key.
    await expect(caller.mfa.startTotp()).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("needs sudo mode to start", async () => {
    const clock = createTestClock();
    const user = await createTestUser(db);
    const { token } = await signIn(user.email, clock);
    clock.advance(config.reauthenticationWindowMs + 1);
    const { caller } = await callerFor(token, clock);
    await expect(caller.mfa.startTotp()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("two-step sign-in with TOTP", () => {
  it("the password opens a pending session that only the second-factor procedures accept", async () => {
    const clock = createTestClock();
    const { user } = await createTotpUser(clock);
    const { result, token } = await signIn(user.email, clock);
    expect(result.secondFactor).toEqual({ methods: ["totp", "recovery_code"] });
    const { caller } = await callerFor(token, clock);
    for (const call of [() => caller.auth.me(), () => caller.note.list(), () => caller.session.list(), () => caller.auth.issueAccessToken(), () => caller.mfa.status()]) {
      const error = await call().catch((e) => e);
      expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "Enter your second factor to finish signing in." });
    }
    const row = await db.session.findFirstOrThrow({ where: { userId: user.id, secondFactorPending: true } });
    expect(row.factors).toEqual(["password"]);
    expect(row.expiresAt.getTime() - clock.now().getTime()).toBe(10 * MINUTE_MS);
  });

  it("a right code replaces the pending session with a full one under a new token that records the factors", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    clock.advance(STEP_MS);
    const { token: pendingToken } = await signIn(user.email, clock);
    const pending = await callerFor(pendingToken, clock);
    const verified = await pending.caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) });
    expect(verified.user.id).toBe(user.id);
    const fullToken = pending.cookie.token!;
    expect(fullToken).not.toBe(pendingToken);
    // The pending token is gone (fixation), the new one is a full session.
    await expect((await callerFor(pendingToken, clock)).caller.mfa.verify({ method: "totp", code: "000000" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const me = await (await callerFor(fullToken, clock)).caller.auth.me();
    expect(me?.session).toMatchObject({ factors: ["password", "totp"], secondFactorAt: clock.now() });
    const rows = await db.session.findMany({ where: { userId: user.id, secondFactorPending: true } });
    expect(rows).toEqual([]);
  });

  it("refuses a wrong code, a replayed code, an older code and an expired code; accepts the next step's", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    // The enrolment used this step already.
    const enrolmentCode = computeTotpCode(key, clock.now());
    clock.advance(STEP_MS);
    const attempt = async (code: string) => {
      const { token } = await signIn(user.email, clock);
      return (await callerFor(token, clock)).caller.mfa.verify({ method: "totp", code });
    };
    const wrong = computeTotpCode(key, clock.now()) === "123456" ? "654321" : "123456";
    await expect(attempt(wrong)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The code is incorrect or has already been used." });
    await expect(attempt(enrolmentCode)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const current = computeTotpCode(key, clock.now());
    await attempt(current);
    await expect(attempt(current)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Two steps old is outside the allowed drift even if never used.
    await expect(attempt(computeTotpCode(key, clock.now(), -2))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    clock.advance(STEP_MS);
    await expect(attempt(computeTotpCode(key, clock.now()))).resolves.toMatchObject({ user: { id: user.id } });
  });

  it("one code sent by two pending sessions at once is accepted once", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    clock.advance(STEP_MS);
    const code = computeTotpCode(key, clock.now());
    const tokens = await Promise.all([signIn(user.email, clock), signIn(user.email, clock), signIn(user.email, clock)]);
    const results = await Promise.allSettled(
      tokens.map(async ({ token }) => (await callerFor(token, clock)).caller.mfa.verify({ method: "totp", code })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  it("with transport token, the pending bearer session is completed and the new token comes back in the body", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    clock.advance(STEP_MS);
    const { caller } = await createTestCaller({ db, config, clock: clock.now });
    const { token, secondFactor } = await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD, transport: "token" });
    expect(secondFactor).not.toBeNull();
    const pending = await createTestCaller({ db, config, clock: clock.now }, { type: "bearer", token: token! });
    await expect(pending.caller.note.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const verified = await pending.caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) });
    expect(verified.token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{52}$/);
    expect(pending.cookie.token).toBeNull();
    const full = await createTestCaller({ db, config, clock: clock.now }, { type: "bearer", token: verified.token! });
    await expect(full.caller.note.list()).resolves.toEqual([]);
  });

  it("a pending session expires after ten minutes", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    const { token } = await signIn(user.email, clock);
    clock.advance(10 * MINUTE_MS);
    const { caller } = await callerFor(token, clock);
    await expect(caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("signing out ends a pending session", async () => {
    const clock = createTestClock();
    const { user } = await createTotpUser(clock);
    const { token } = await signIn(user.email, clock);
    await (await callerFor(token, clock)).caller.auth.signOut();
    expect(await db.session.count({ where: { userId: user.id, secondFactorPending: true } })).toBe(0);
  });
});

describe("recovery codes", () => {
  it("each works once, completes the sign-in and says how many are left", async () => {
    const clock = createTestClock();
    const { user, recoveryCodes } = await createTotpUser(clock);
    const { token } = await signIn(user.email, clock);
    const first = await (await callerFor(token, clock)).caller.mfa.verify({ method: "recovery_code", code: ` ${recoveryCodes[0]!.toUpperCase()} ` });
    expect(first.recoveryCodesLeft).toBe(9);
    const again = await signIn(user.email, clock);
    await expect((await callerFor(again.token, clock)).caller.mfa.verify({ method: "recovery_code", code: recoveryCodes[0]! })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("one code sent twice at once is used once", async () => {
    const clock = createTestClock();
    const { user, recoveryCodes } = await createTotpUser(clock);
    const sessions = await Promise.all([signIn(user.email, clock), signIn(user.email, clock)]);
    const results = await Promise.allSettled(
      sessions.map(async ({ token }) => (await callerFor(token, clock)).caller.mfa.verify({ method: "recovery_code", code: recoveryCodes[1]! })),
    );
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await db.recoveryCode.count({ where: { userId: user.id, usedAt: null } })).toBe(9);
  });

  it("regenerating (sudo mode) replaces every code", async () => {
    const clock = createTestClock();
    const { user, recoveryCodes } = await createTotpUser(clock);
    const { token } = await signIn(user.email, clock);
    const pending = await callerFor(token, clock);
    await pending.caller.mfa.verify({ method: "recovery_code", code: recoveryCodes[2]! });
    const full = await callerFor(pending.cookie.token!, clock);
    const { recoveryCodes: fresh } = await full.caller.mfa.regenerateRecoveryCodes();
    expect(fresh).toHaveLength(10);
    expect(await full.caller.mfa.status()).toMatchObject({ recoveryCodesLeft: 10 });
    const next = await signIn(user.email, clock);
    const { caller } = await callerFor(next.token, clock);
    await expect(caller.mfa.verify({ method: "recovery_code", code: recoveryCodes[3]! })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.mfa.verify({ method: "recovery_code", code: fresh[0]! })).resolves.toMatchObject({ recoveryCodesLeft: 9 });
    clock.advance(config.reauthenticationWindowMs);
    const later = await callerFor(pending.cookie.token!, clock);
    await expect(later.caller.mfa.regenerateRecoveryCodes()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("count first: second-factor attempts", () => {
  it("parallel wrong codes cannot exceed the limit, and the limit then refuses the right code too", async () => {
    const clock = createTestClock();
    const limited = createTestConfig({ RATE_LIMIT_SECOND_FACTOR_FAILURES: "3" });
    const rateLimiter = createRateLimiter(limited.rateLimit.policy, { type: "memory" });
    const { user, key } = await createTotpUser(clock);
    clock.advance(STEP_MS);
    const { token } = await signIn(user.email, clock, { config: limited, rateLimiter });
    const { caller } = await callerFor(token, clock, { config: limited, rateLimiter });
    const right = computeTotpCode(key, clock.now());
    const wrong = right === "000000" ? "111111" : "000000";
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => caller.mfa.verify({ method: "totp", code: wrong })));
    const codes = results.map((result) => (result.status === "rejected" ? (result.reason as { code: string }).code : "OK"));
    expect(codes.filter((code) => code === "BAD_REQUEST")).toHaveLength(3);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(5);
    await expect(caller.mfa.verify({ method: "totp", code: right })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("a right code refunds: failures are counted consecutively", async () => {
    const clock = createTestClock();
    const limited = createTestConfig({ RATE_LIMIT_SECOND_FACTOR_FAILURES: "2" });
    const rateLimiter = createRateLimiter(limited.rateLimit.policy, { type: "memory" });
    const { user, key } = await createTotpUser(clock);
    for (let round = 0; round < 3; round++) {
      clock.advance(STEP_MS);
      const { token } = await signIn(user.email, clock, { config: limited, rateLimiter });
      const { caller } = await callerFor(token, clock, { config: limited, rateLimiter });
      await expect(caller.mfa.verify({ method: "totp", code: "99999x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) })).resolves.toBeTruthy();
    }
  });
});

describe("sudo mode with a second factor", () => {
  it("a TOTP code opens sudo mode instead of the password, and turning TOTP off needs it", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    const { token } = await signInWithTotp(user, key, clock);
    clock.advance(config.reauthenticationWindowMs + STEP_MS);
    const full = await callerFor(token, clock);
    await expect(full.caller.mfa.disableTotp()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await full.caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) });
    const stepped = await callerFor(full.cookie.token!, clock);
    expect(await stepped.caller.mfa.disableTotp()).toEqual({ disabled: true });
    expect(await stepped.caller.mfa.status()).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    expect((await signIn(user.email, clock)).result.secondFactor).toBeNull();
  });

  it("re-authenticating with the password keeps the second factor on the new session", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    const full = await signInWithTotp(user, key, clock);
    await full.caller.auth.reauthenticate({ password: TEST_PASSWORD });
    const me = await (await callerFor(full.cookie.token!, clock)).caller.auth.me();
    expect(me?.session).toMatchObject({ factors: ["password", "totp"], secondFactorAt: expect.any(Date) });
  });
});

describe("encryption key rotation", () => {
  it("a key under the previous ENCRYPTION_KEY still works and is re-encrypted under the new one", async () => {
    const clock = createTestClock();
    const { user, key } = await createTotpUser(clock);
    const before = await db.totpKey.findUniqueOrThrow({ where: { userId: user.id } });
    const { generateEncryptionKey } = await import("../auth/encryption.ts");
    const rotated = createTestConfig({ ENCRYPTION_KEY: generateEncryptionKey(), ENCRYPTION_PREVIOUS_KEYS: config.encryptionKeys.current.secret.toString("base64url") });
    clock.advance(STEP_MS);
    const { token } = await signIn(user.email, clock, { config: rotated });
    await (await callerFor(token, clock, { config: rotated })).caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) });
    const after = await db.totpKey.findUniqueOrThrow({ where: { userId: user.id } });
    expect(Buffer.from(after.encryptedKey).subarray(0, 4)).toEqual(rotated.encryptionKeys.current.id);
    expect(Buffer.from(before.encryptedKey).subarray(0, 4)).toEqual(config.encryptionKeys.current.id);
    // Without the old key configured, nothing decrypts it: the server says so instead of accepting.
    clock.advance(STEP_MS);
    const { token: next } = await signIn(user.email, clock);
    await expect((await callerFor(next, clock)).caller.mfa.verify({ method: "totp", code: computeTotpCode(key, clock.now()) })).rejects.toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
    });
  });
});

describe("recovery code format", () => {
  it("has 120 random bits (24 base32 characters), enough for a plain SHA-256 at rest", async () => {
    const { recoveryCodes } = await createTotpUser(createTestClock());
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}$/);
  });
});
