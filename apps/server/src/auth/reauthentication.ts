// "Sudo mode" (docs/decisions/008-reauthentication-and-admin.md): a session records when its user
// last proved the password on it; sensitive operations need that to be recent.
import type { Database, DatabaseClient } from "../db.ts";
import type { AuthFactor } from "../generated/prisma/enums.ts";
import { verifyPasswordAttempt, type PasswordAttemptResult, type PasswordCheckDeps } from "./password-attempt.ts";
import { addSessionFactor, createSession, type Session, type SessionMetadata, type SessionPolicy, type SessionUser } from "./session.ts";

/** True when the session's password check is less than `windowMs` old (false for a missing session). */
export async function isSessionRecentlyAuthenticated(
  db: DatabaseClient,
  sessionId: string,
  windowMs: number,
  now: Date,
): Promise<boolean> {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: { authenticatedAt: true } });
  return row !== null && now.getTime() - row.authenticatedAt.getTime() < windowMs;
}

/** Checks the password of a session's user, throttled by the sign-in failure counters. */
export function verifySessionUserPassword(
  db: DatabaseClient,
  deps: PasswordCheckDeps,
  attempt: { user: SessionUser; ip: string | null; password: string },
): Promise<PasswordAttemptResult> {
  return verifyPasswordAttempt(db, deps, {
    where: { id: attempt.user.id },
    email: attempt.user.email,
    ip: attempt.ip,
    password: attempt.password,
  });
}

export type ReauthenticationResult =
  | { status: "reauthenticated"; token: string; session: Session }
  | { status: "invalid" }
  | { status: "limited"; retryAfterSeconds: number }
  /** The session was ended (signed out elsewhere) while the password was checked. */
  | { status: "ended" };

/**
 * Re-authenticates a session: checks the password, then replaces the session with a new one of the
 * same kind, so re-authentication yields a new token and ends the old one (ASVS 5.0 V7.2.4). The
 * new session's password check, and with it its sudo-mode window and its lifetime, start now.
 */
export async function reauthenticateSession(
  db: Database,
  deps: PasswordCheckDeps,
  attempt: { session: Pick<Session, "id" | "kind" | "userId" | "factors" | "secondFactorAt">; user: SessionUser; metadata: SessionMetadata; password: string },
  policy: SessionPolicy,
  now: Date,
): Promise<ReauthenticationResult> {
  const check = await verifySessionUserPassword(db, deps, { user: attempt.user, ip: attempt.metadata.ip, password: attempt.password });
  if (check.status !== "valid") return check;
  const replacement = await replaceSession(db, { session: attempt.session, factor: "password", metadata: attempt.metadata }, policy, now);
  return replacement ? { status: "reauthenticated", ...replacement } : { status: "ended" };
}

/**
 * After a fresh authentication with `factor` (password, the provider for a user without one, a
 * second factor): a new session of the same kind replaces `session`, whose token stops working
 * (fixation); it keeps what was proved before, adds `factor` and is pending nothing. Null when the
 * session had already ended (signed out elsewhere, or a parallel request won).
 */
export function replaceSession(
  db: Database,
  input: { session: Pick<Session, "id" | "kind" | "userId" | "factors" | "secondFactorAt">; factor: AuthFactor; metadata: SessionMetadata },
  policy: SessionPolicy,
  now: Date,
): Promise<{ token: string; session: Session } | null> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.session.deleteMany({ where: { id: input.session.id } });
    if (count === 0) return null;
    const assurance = addSessionFactor(input.session, input.factor, now);
    return createSession(tx, { userId: input.session.userId, kind: input.session.kind, metadata: input.metadata, assurance }, policy, now);
  });
}
