import { describe, expect, it } from "vitest";
import { forgeAccessTokens } from "../../../../tests/setup/access-tokens.ts";
import { CLOCK_SKEW_SECONDS, createAccessToken, verifyAccessToken, type AccessTokenConfig } from "./access-token.ts";
import { createAccessTokenVerifier, getAccessTokenVerifier } from "./access-token-cache.ts";
import { generateJwtPrivateKey, parseJwtPrivateKey } from "./signing-key.ts";

const SECOND = 1000;
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * SECOND);

function createConfig(): AccessTokenConfig {
  const signingKey = parseJwtPrivateKey(generateJwtPrivateKey())!;
  return { signingKey, verificationKeys: [signingKey], issuer: "https://app.example.com", audience: "latchkey-api", lifetimeSeconds: 300 };
}
const config = createConfig();
const subject = { userId: "user-1", sessionId: "session-1", email: "ada@example.com", name: "Ada" };
const issue = (now = T0) => createAccessToken(config, subject, now).accessToken;

/** A verifier whose full verifications are counted. */
function countingVerifier(maxEntries?: number) {
  const calls: string[] = [];
  const verifier = createAccessTokenVerifier(config, {
    maxEntries,
    verify: (token, keys, expected, now) => {
      calls.push(token);
      return verifyAccessToken(token, keys, expected, now);
    },
  });
  return { verifier, calls };
}

describe("createAccessTokenVerifier", () => {
  it("verifies a token's signature once and answers its later uses from memory", () => {
    const { verifier, calls } = countingVerifier();
    const token = issue();
    const first = verifier.verify(token, at(1));
    expect(first.ok).toBe(true);
    expect(verifier.verify(token, at(2))).toEqual(first);
    expect(calls).toHaveLength(1);
  });

  it("still rejects a remembered token once it has expired, and forgets it", () => {
    const { verifier, calls } = countingVerifier();
    const token = issue();
    expect(verifier.verify(token, at(1)).ok).toBe(true);
    const expiry = config.lifetimeSeconds + CLOCK_SKEW_SECONDS;
    expect(verifier.verify(token, at(expiry - 1)).ok).toBe(true);
    expect(verifier.verify(token, at(expiry))).toEqual({ ok: false, reason: "expired" });
    expect(verifier.verify(token, at(expiry))).toEqual({ ok: false, reason: "expired" });
    expect(calls).toHaveLength(2);
  });

  it("never remembers a token that failed verification", () => {
    const { verifier, calls } = countingVerifier();
    const { forged } = forgeAccessTokens(config, subject, T0);
    for (const { token, reason } of Object.values(forged)) {
      expect(verifier.verify(token, T0)).toEqual({ ok: false, reason });
      expect(verifier.verify(token, T0)).toEqual({ ok: false, reason });
    }
    expect(calls).toHaveLength(Object.keys(forged).length * 2);
  });

  it("holds at most maxEntries tokens, forgetting the oldest first", () => {
    const { verifier, calls } = countingVerifier(2);
    const [a, b, c] = [issue(), issue(), issue()];
    for (const token of [a, b, c, c, b]) expect(verifier.verify(token!, at(1)).ok).toBe(true);
    expect(calls).toHaveLength(3);
    expect(verifier.verify(a!, at(1)).ok).toBe(true);
    expect(calls).toHaveLength(4);
  });
});

describe("getAccessTokenVerifier", () => {
  it("keeps one memory per configuration: a token verified under one key set is not accepted under another", () => {
    const token = issue();
    expect(getAccessTokenVerifier(config).verify(token, at(1)).ok).toBe(true);
    expect(getAccessTokenVerifier(createConfig()).verify(token, at(1))).toEqual({ ok: false, reason: "unknown-key" });
    expect(getAccessTokenVerifier(config)).toBe(getAccessTokenVerifier(config));
  });
});
