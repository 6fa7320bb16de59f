// Every check of a user's password (sign-in, re-authentication, password change) goes through here,
// so one set of attempt counters throttles guessing wherever the guesses are made.
import type { DatabaseClient } from "../db.ts";
import { PasswordHasherBusyError, type PasswordHasher } from "./password-hasher.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { SESSION_USER_SELECT, toSessionUser, type SessionUser } from "./session.ts";

/** What a password check counts with and hashes in (the request context has both). */
export interface PasswordCheckDeps {
  rateLimiter: RateLimiter;
  passwordHasher: PasswordHasher;
}

export type PasswordAttemptResult =
  | { status: "valid"; user: SessionUser }
  | { status: "invalid" }
  | { status: "limited"; retryAfterSeconds: number };

/**
 * Checks `password` for the user found by `where` (an unknown user costs the same argon2 work as a
 * wrong password). The attempt is counted against `email` and `ip` first: one over a limit is
 * refused before any database query or hash. A success resets the account's counters; an attempt
 * the hashing pool had no room for is refunded and its PasswordHasherBusyError passed on (503).
 */
export async function verifyPasswordAttempt(
  db: DatabaseClient,
  deps: PasswordCheckDeps,
  attempt: { where: { email: string } | { id: string }; email: string; ip: string | null; password: string },
): Promise<PasswordAttemptResult> {
  const counted = await deps.rateLimiter.consumePasswordAttempt({ email: attempt.email, ip: attempt.ip });
  if (counted.limited) return { status: "limited", retryAfterSeconds: counted.retryAfterSeconds };

  const user = await db.user.findUnique({
    where: attempt.where,
    select: { ...SESSION_USER_SELECT, passwordHash: true },
  });
  let valid: boolean;
  try {
    valid = await deps.passwordHasher.verify(user?.passwordHash ?? null, attempt.password);
  } catch (error) {
    if (error instanceof PasswordHasherBusyError) await counted.refund();
    throw error;
  }
  if (!user || !valid) return { status: "invalid" };
  await counted.succeed();
  return { status: "valid", user: toSessionUser(user) };
}
