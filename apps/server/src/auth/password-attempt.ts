// Every check of a user's password (sign-in, re-authentication, password change) goes through here,
// so one set of failure counters throttles guessing wherever the guesses are made.
import type { DatabaseClient } from "../db.ts";
import { verifyPassword } from "./password.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { SESSION_USER_SELECT, toSessionUser, type SessionUser } from "./session.ts";

export type PasswordAttemptResult =
  | { status: "valid"; user: SessionUser }
  | { status: "invalid" }
  | { status: "limited"; retryAfterSeconds: number };

/**
 * Checks `password` for the user found by `where` (an unknown user costs the same argon2 work as a
 * wrong password). Counted against `email` and `ip`: a blocked attempt is refused before any
 * database query or hash, a failure is counted, and a success resets the account's counters.
 */
export async function verifyPasswordAttempt(
  db: DatabaseClient,
  rateLimiter: RateLimiter,
  attempt: { where: { email: string } | { id: string }; email: string; ip: string | null; password: string },
): Promise<PasswordAttemptResult> {
  const gate = await rateLimiter.beginPasswordAttempt({ email: attempt.email, ip: attempt.ip });
  if (gate.limited) return { status: "limited", retryAfterSeconds: gate.retryAfterSeconds };

  const user = await db.user.findUnique({
    where: attempt.where,
    select: { ...SESSION_USER_SELECT, passwordHash: true },
  });
  const valid = await verifyPassword(user?.passwordHash ?? null, attempt.password);
  if (!user || !valid) {
    const verdict = await gate.recordFailure();
    return verdict.limited ? { status: "limited", retryAfterSeconds: verdict.retryAfterSeconds } : { status: "invalid" };
  }
  await gate.recordSuccess();
  return { status: "valid", user: toSessionUser(user) };
}
