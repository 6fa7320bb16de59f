import { describe, expect, it } from "vitest";
import { createRateLimiter, getIpRateLimitKey, type RateLimitPolicy } from "./rate-limit.ts";

const policy: RateLimitPolicy = {
  passwordFailuresPerAccountAndIp: 3,
  passwordFailuresPerAccount: 5,
  passwordFailuresPerIp: 8,
  passwordBlockSeconds: 600,
  signUpsPerIpPerHour: 2,
  accessTokensPerSessionPerMinute: 2,
  secondFactorFailuresPerAccount: 3,
  mailPerAddressPerHour: 2,
  mailPerIpPerHour: 3,
};

/** A wrong password: the attempt is counted first and nothing is reported after the check. */
async function fail(limiter: ReturnType<typeof createRateLimiter>, email: string, ip: string) {
  const attempt = await limiter.consumePasswordAttempt({ email, ip });
  return attempt.limited ? attempt : { limited: false };
}

describe("createRateLimiter (memory store)", () => {
  it("lets the configured number of attempts through, refuses the next before any check and blocks for the block time", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    for (let attempt = 0; attempt < 3; attempt++) expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: false });
    expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: true, retryAfterSeconds: 600 });
    expect((await limiter.consumePasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" })).limited).toBe(true);
  });

  it("counts attempts started together: of 9 parallel attempts exactly 3 pass", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    const attempts = await Promise.all(Array.from({ length: 9 }, () => limiter.consumePasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" })));
    expect(attempts.filter((attempt) => !attempt.limited)).toHaveLength(3);
  });

  it("a success resets the account's consecutive failures but gives the per-IP budget only its own point back", async () => {
    const limiter = createRateLimiter({ ...policy, passwordFailuresPerIp: 4 }, { type: "memory" });
    for (let attempt = 0; attempt < 2; attempt++) await fail(limiter, "ada@example.com", "192.0.2.1");
    const attempt = await limiter.consumePasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" });
    if (attempt.limited) expect.unreachable("a third attempt is within every limit");
    await attempt.succeed();
    // The account + IP counter starts again (3 more), but the IP's budget of 4 still holds the 2
    // failures: 2 more attempts, then it is used up.
    for (let again = 0; again < 2; again++) expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: false });
    expect((await fail(limiter, "ada@example.com", "192.0.2.1")).limited).toBe(true);
  });

  it("a refund gives every counter its point back (the check never ran)", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    for (let attempt = 0; attempt < 10; attempt++) {
      const counted = await limiter.consumePasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" });
      if (counted.limited) expect.unreachable("refunded attempts leave no trace");
      await counted.refund();
    }
  });

  it("counts sign-ups per IP and access tokens per session", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    expect([await limiter.consumeSignUp("192.0.2.1"), await limiter.consumeSignUp("192.0.2.1")]).toEqual([{ limited: false }, { limited: false }]);
    expect(await limiter.consumeSignUp("192.0.2.1")).toMatchObject({ limited: true, retryAfterSeconds: expect.any(Number) });
    expect(await limiter.consumeSignUp("192.0.2.2")).toEqual({ limited: false });
    await limiter.consumeAccessTokenIssue("session-a");
    await limiter.consumeAccessTokenIssue("session-a");
    expect((await limiter.consumeAccessTokenIssue("session-a")).limited).toBe(true);
    expect((await limiter.consumeAccessTokenIssue("session-b")).limited).toBe(false);
  });
});

describe("getIpRateLimitKey", () => {
  it("counts IPv6 clients by their /64 and IPv4 ones by address", () => {
    expect(getIpRateLimitKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(getIpRateLimitKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(getIpRateLimitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(getIpRateLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(getIpRateLimitKey("192.0.2.1")).toBe("192.0.2.1");
    expect(getIpRateLimitKey(null)).toBe("unknown");
  });
});

describe("consumeSecondFactorAttempt (count first)", () => {
  it("counts every attempt before its check: of 10 parallel attempts only the limit's worth get through", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    const gates = await Promise.all(Array.from({ length: 10 }, () => limiter.consumeSecondFactorAttempt("user-a")));
    expect(gates.filter((gate) => !gate.limited)).toHaveLength(3);
    expect(gates.find((gate) => gate.limited)).toMatchObject({ limited: true, retryAfterSeconds: 600 });
    // Another account is counted apart.
    expect(await limiter.consumeSecondFactorAttempt("user-b")).toMatchObject({ limited: false });
  });

  it("a success resets the count, so failures are counted consecutively", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    await limiter.consumeSecondFactorAttempt("user-c");
    await limiter.consumeSecondFactorAttempt("user-c");
    const success = await limiter.consumeSecondFactorAttempt("user-c");
    if (success.limited) throw new Error("the third attempt is within the limit");
    await success.succeed();
    for (let i = 0; i < 3; i++) expect(await limiter.consumeSecondFactorAttempt("user-c")).toMatchObject({ limited: false });
    expect(await limiter.consumeSecondFactorAttempt("user-c")).toMatchObject({ limited: true });
  });
});
