// The second-factor side of a password reset (requireSecondFactorForReset) and mfaProcedure, on a
// real database.
import { afterAll, describe, expect, it } from "vitest";
import { createTestCaller, createTestClock, createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";
import { computeTotpCode } from "../../../../tests/setup/totp.ts";
import { createCallerFactory, mfaProcedure, router } from "../trpc.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { replaceRecoveryCodes } from "./recovery-code.ts";
import { requireSecondFactorForReset } from "./second-factor.ts";
import { createSession } from "./session.ts";
import { startTotpEnrolment, verifyTotpCode } from "./totp.ts";

const db = createTestDatabase();
const config = createTestConfig({ RATE_LIMIT_SECOND_FACTOR_FAILURES: "2" });
afterAll(() => db.$disconnect());

async function createTotpUser(now: Date) {
  const user = await createTestUser(db);
  const enrolment = (await startTotpEnrolment(db, config.encryptionKeys, user, "latchkey", now))!;
  await verifyTotpCode(db, config.encryptionKeys, { userId: user.id, code: computeTotpCode(enrolment.key, now), confirm: true }, now);
  const recoveryCodes = await replaceRecoveryCodes(db, user.id);
  return { user, key: enrolment.key, recoveryCodes };
}

describe("requireSecondFactorForReset", () => {
  const deps = () => ({ rateLimiter: createRateLimiter(config.rateLimit.policy, { type: "memory" }), encryptionKeys: config.encryptionKeys });

  it("is not required for an account without a factor", async () => {
    const user = await createTestUser(db);
    expect(await requireSecondFactorForReset(db, deps(), { userId: user.id, proof: null }, new Date())).toEqual({ status: "not_required" });
  });

  it("asks for a code, refuses a wrong one, accepts a TOTP code or a recovery code, and counts attempts first", async () => {
    const clock = createTestClock();
    const { user, key, recoveryCodes } = await createTotpUser(clock.now());
    const shared = deps();
    const check = (proof: { method: "totp" | "recovery_code"; code: string } | null) =>
      requireSecondFactorForReset(db, shared, { userId: user.id, proof }, clock.now());
    expect(await check(null)).toEqual({ status: "required", methods: ["totp", "recovery_code"] });
    expect(await check({ method: "totp", code: "000000" })).toEqual({ status: "invalid" });
    clock.advance(30_000);
    expect(await check({ method: "totp", code: computeTotpCode(key, clock.now()) })).toEqual({ status: "valid" });
    expect(await check({ method: "recovery_code", code: recoveryCodes[0]! })).toEqual({ status: "valid" });
    expect(await check({ method: "recovery_code", code: recoveryCodes[0]! })).toEqual({ status: "invalid" });
    expect(await check({ method: "recovery_code", code: "nope" })).toEqual({ status: "invalid" });
    expect(await check({ method: "recovery_code", code: recoveryCodes[1]! })).toMatchObject({ status: "limited" });
  });
});

describe("mfaProcedure", () => {
  const createCaller = createCallerFactory(router({ secret: mfaProcedure.query(() => "secret") }));

  it("refuses a password-only session with FORBIDDEN and runs for one that proved a second factor", async () => {
    const user = await createTestUser(db);
    const now = new Date();
    const metadata = { userAgent: null, ip: null };
    const passwordOnly = await createSession(db, { userId: user.id, kind: "cookie", metadata }, config.session, now);
    const withTotp = await createSession(
      db,
      { userId: user.id, kind: "cookie", metadata, assurance: { factors: ["password", "totp"], secondFactorAt: now, secondFactorPending: false } },
      config.session,
      now,
    );
    const { ctx: plain } = await createTestCaller({ db, config }, { type: "cookie", token: passwordOnly.token });
    await expect(createCaller(plain).secret()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { ctx: strong } = await createTestCaller({ db, config }, { type: "cookie", token: withTotp.token });
    expect(await createCaller(strong).secret()).toBe("secret");
  });
});
