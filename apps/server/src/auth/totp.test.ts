import { generateHOTP } from "@oslojs/otp";
import { describe, expect, it } from "vitest";
import { findTotpStep, getTotpStep } from "./totp.ts";

const key = new Uint8Array(20).map((_, index) => index + 1);
// RFC 6238 Appendix B, SHA-1, 59 s: 94287082 (8 digits); its last six digits are the 6-digit code.
const RFC_TIME = new Date(59_000);

describe("findTotpStep", () => {
  it("matches the RFC 6238 test vector", () => {
    const rfcKey = new TextEncoder().encode("12345678901234567890");
    expect(findTotpStep(rfcKey, "287082", RFC_TIME)).toBe(1n);
  });

  it("accepts one step of drift either way and nothing further", () => {
    const now = new Date(1_800_000_000_000);
    const step = getTotpStep(now);
    for (const offset of [-1n, 0n, 1n]) expect(findTotpStep(key, generateHOTP(key, step + offset, 6), now)).toBe(step + offset);
    for (const offset of [-2n, 2n]) expect(findTotpStep(key, generateHOTP(key, step + offset, 6), now)).toBeNull();
  });

  it("refuses anything but six digits", () => {
    const now = new Date();
    const code = generateHOTP(key, getTotpStep(now), 6);
    for (const bad of [` ${code}`, `${code}0`, code.slice(1), "abcdef", ""]) expect(findTotpStep(key, bad, now)).toBeNull();
  });
});
