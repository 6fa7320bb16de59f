import { describe, expect, it } from "vitest";
import { createRateLimiter, getIpRateLimitKey, type RateLimitPolicy } from "./rate-limit.ts";

const policy: RateLimitPolicy = {
  passwordFailuresPerAccountAndIp: 3,
  passwordFailuresPerAccount: 5,
  passwordFailuresPerIp: 8,
  passwordBlockSeconds: 600,
  signUpsPerIpPerHour: 2,
  accessTokensPerSessionPerMinute: 2,
  mailPerAddressPerHour: 2,
  mailPerIpPerHour: 3,
};

async function fail(limiter: ReturnType<typeof createRateLimiter>, email: string, ip: string) {
  const gate = await limiter.beginPasswordAttempt({ email, ip });
  return gate.limited ? gate : gate.recordFailure();
}

describe("createRateLimiter (memory store)", () => {
  it("lets the configured number of failures through, blocks on the next for the block time, and refuses before any check", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    for (let attempt = 0; attempt < 3; attempt++) expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: false });
    expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: true, retryAfterSeconds: 600 });
    const gate = await limiter.beginPasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" });
    expect(gate.limited).toBe(true);
  });

  it("a success resets the account's consecutive failures", async () => {
    const limiter = createRateLimiter(policy, { type: "memory" });
    for (let attempt = 0; attempt < 3; attempt++) await fail(limiter, "ada@example.com", "192.0.2.1");
    const gate = await limiter.beginPasswordAttempt({ email: "ada@example.com", ip: "192.0.2.1" });
    if (gate.limited) expect.unreachable("not blocked yet");
    await gate.recordSuccess();
    for (let attempt = 0; attempt < 3; attempt++) expect(await fail(limiter, "ada@example.com", "192.0.2.1")).toEqual({ limited: false });
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
