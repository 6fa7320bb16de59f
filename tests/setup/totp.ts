// TOTP codes for tests, computed with the same algorithm the server checks (@oslojs/otp, RFC 6238).
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";

const PERIOD_MS = 30_000;

/** The code of `key` (base32, as enrolment shows it) for the time step `now` falls in, `offsetSteps` away. */
export function computeTotpCode(key: string, now: Date, offsetSteps = 0): string {
  const step = BigInt(Math.floor(now.getTime() / PERIOD_MS) + offsetSteps);
  return generateHOTP(decodeBase32IgnorePadding(key), step, 6);
}
