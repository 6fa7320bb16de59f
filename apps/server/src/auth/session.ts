// Server-side sessions (DESIGN §3): the row is the source of truth. Validation is one SELECT
// (user joined), none when the session cache holds the row (auth/session-cache.ts), and writes
// only when the session is renewed, at most once per renewal interval.
import type { Database, DatabaseClient, PreparedQuery } from "../db.ts";
import type { SessionCache } from "./session-cache.ts";
import type { AuthFactor, SessionKind } from "../generated/prisma/enums.ts";
import { generateSessionToken, hashSessionSecret, parseSessionToken, verifySessionSecret } from "./token.ts";

export interface SessionPolicy {
  /** A session unused for this long expires (sliding). */
  idleTimeoutMs: number;
  /** A session expires this long after sign-in, however active (absolute). */
  absoluteLifetimeMs: number;
  /** lastActiveAt is written at most once per interval, so most requests do not write. */
  renewalIntervalMs: number;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** Whether the user has proved they receive mail at `email` (verifiedProcedure checks it). */
  emailVerified: boolean;
}

export interface Session {
  id: string;
  userId: string;
  kind: SessionKind;
  createdAt: Date;
  lastActiveAt: Date;
  /** Absolute expiry; the session also ends at lastActiveAt + idle timeout. */
  expiresAt: Date;
  /** Only the first factor so far: accepted by the second-factor procedures alone (auth/second-factor.ts). */
  secondFactorPending: boolean;
  /** The factors proved for this session, in order (e.g. password, totp). */
  factors: AuthFactor[];
  /** When a second factor (or a passkey with user verification) was last proved; null: never. */
  secondFactorAt: Date | null;
}

/** How a new session was authenticated; the default is a password sign-in without a second factor. */
export interface SessionAssurance {
  factors: AuthFactor[];
  secondFactorAt: Date | null;
  secondFactorPending: boolean;
}

/** Factors that complete a sign-in; password, oauth and email are first factors only. */
const SECOND_FACTORS: ReadonlySet<AuthFactor> = new Set(["totp", "recovery_code", "passkey"]);

const PASSWORD_ONLY: SessionAssurance = { factors: ["password"], secondFactorAt: null, secondFactorPending: false };

/**
 * The assurance of a session that replaces `session` (re-authentication, password change, second
 * factor) after `factor` was proved now: what was proved before still counts, and nothing is pending.
 */
export function addSessionFactor(session: Pick<Session, "factors" | "secondFactorAt">, factor: AuthFactor, now: Date): SessionAssurance {
  const isSecondFactor = SECOND_FACTORS.has(factor);
  return {
    factors: session.factors.includes(factor) ? session.factors : [...session.factors, factor],
    secondFactorAt: isSecondFactor ? now : session.secondFactorAt,
    secondFactorPending: false,
  };
}

export type SessionValidationResult = { session: Session; user: SessionUser } | { session: null; user: null };

export interface SessionMetadata {
  userAgent: string | null;
  ip: string | null;
}

const SESSION_SELECT = {
  id: true,
  userId: true,
  kind: true,
  createdAt: true,
  lastActiveAt: true,
  expiresAt: true,
  secondFactorPending: true,
  factors: true,
  secondFactorAt: true,
} as const;

/** The User columns a SessionUser is made of (toSessionUser). */
export const SESSION_USER_SELECT = { id: true, email: true, name: true, emailVerifiedAt: true } as const;

export function toSessionUser(user: { id: string; email: string; name: string; emailVerifiedAt: Date | null }): SessionUser {
  return { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerifiedAt !== null };
}

/** authenticatedAt of a session whose user never proved who they are on it: older than any sudo window. */
const NEVER_AUTHENTICATED = new Date(0);

/** A session opened by a mailed link or code and nothing else: holding the mailbox is not sudo. */
function provedOnlyByMail(assurance: SessionAssurance): boolean {
  return assurance.factors.every((factor) => factor === "email");
}

// User agents are attacker-controlled; keep what the session list needs.
const USER_AGENT_MAX_LENGTH = 512;

export async function createSession(
  db: DatabaseClient,
  input: { userId: string; kind: SessionKind; metadata: SessionMetadata; assurance?: SessionAssurance; lifetimeMs?: number },
  policy: SessionPolicy,
  now: Date,
): Promise<{ token: string; session: Session }> {
  const { id, secret, token } = generateSessionToken();
  const assurance = input.assurance ?? PASSWORD_ONLY;
  const session = await db.session.create({
    data: {
      id,
      secretHash: hashSessionSecret(secret),
      userId: input.userId,
      kind: input.kind,
      createdAt: now,
      lastActiveAt: now,
      expiresAt: new Date(now.getTime() + Math.min(input.lifetimeMs ?? policy.absoluteLifetimeMs, policy.absoluteLifetimeMs)),
      // When the user last proved who they are on it: now for a sign-in (password, provider,
      // passkey), a second factor, a password change or a reset. A session a mailed link or code
      // alone started never did, so sudo mode asks first.
      authenticatedAt: provedOnlyByMail(assurance) ? NEVER_AUTHENTICATED : now,
      factors: assurance.factors,
      secondFactorAt: assurance.secondFactorAt,
      secondFactorPending: assurance.secondFactorPending,
      userAgent: input.metadata.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      ip: input.metadata.ip,
    },
    select: SESSION_SELECT,
  });
  return { token, session };
}

export function getSessionIdleExpiry(session: Pick<Session, "lastActiveAt">, policy: SessionPolicy): Date {
  return new Date(session.lastActiveAt.getTime() + policy.idleTimeoutMs);
}

// The session with its secret's hash and its user's profile, by id: one statement, prepared once
// per connection (db.ts). Times come back as epoch milliseconds: exact for timestamp(3), and no
// time-zone reading of a timestamp without one. The columns are those of Session and SessionUser;
// building them below fails to compile if those types grow.
// factors is cast to text[]: the driver parses arrays of built-in types only.
const SESSION_ROW_COLUMNS = `s."userId", s."kind", s."secretHash", u."email", u."name", u."emailVerifiedAt" IS NOT NULL AS "emailVerified",
    (extract(epoch FROM s."createdAt") * 1000)::float8 AS "createdMs",
    (extract(epoch FROM s."lastActiveAt") * 1000)::float8 AS "lastActiveMs",
    (extract(epoch FROM s."expiresAt") * 1000)::float8 AS "expiresMs",
    s."secondFactorPending", s."factors"::text[] AS "factors",
    (extract(epoch FROM s."secondFactorAt") * 1000)::float8 AS "secondFactorMs"`;
const FIND_SESSION: PreparedQuery = {
  name: "latchkey_find_session",
  text: `SELECT ${SESSION_ROW_COLUMNS} FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = $1`,
};
// Lookups that start in the same turn of the event loop: every row in one round trip, each with its id.
const FIND_SESSIONS: PreparedQuery = {
  name: "latchkey_find_sessions",
  text: `SELECT s."id", ${SESSION_ROW_COLUMNS} FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = ANY($1::text[])`,
};

/** The columns FIND_SESSION selects: what the session cache keeps. */
export interface SessionRow {
  userId: string;
  kind: SessionKind;
  secretHash: Uint8Array;
  email: string;
  name: string;
  emailVerified: boolean;
  createdMs: number;
  lastActiveMs: number;
  expiresMs: number;
  secondFactorPending: boolean;
  factors: AuthFactor[];
  secondFactorMs: number | null;
}

interface PendingLookups {
  ids: string[];
  settle: { resolve: (row: SessionRow | null) => void; reject: (error: unknown) => void }[];
}

// Per database, the lookups waiting for the end of this turn of the event loop.
const pendingLookups = new WeakMap<Database, PendingLookups>();

/**
 * Reads the session rows one turn of the event loop asked for: one statement whatever their number
 * (docs/decisions/036-session-lookups-share-a-statement.md). A burst of requests on sessions not
 * cached (after a restart, or past the cache's TTL) would otherwise queue one statement each for
 * the pool's few connections.
 */
async function readPendingLookups(db: Database, lookups: PendingLookups): Promise<void> {
  pendingLookups.delete(db);
  try {
    if (lookups.ids.length === 1) {
      const [row] = await db.sql.query<SessionRow>(FIND_SESSION, [lookups.ids[0]]);
      lookups.settle[0]!.resolve(row ?? null);
      return;
    }
    const rows = new Map<string, SessionRow>();
    for (const { id, ...row } of await db.sql.query<SessionRow & { id: string }>(FIND_SESSIONS, [[...new Set(lookups.ids)]])) rows.set(id, row);
    lookups.ids.forEach((id, index) => lookups.settle[index]!.resolve(rows.get(id) ?? null));
  } catch (error) {
    for (const { reject } of lookups.settle) reject(error);
  }
}

function lookUpSession(db: Database, id: string): Promise<SessionRow | null> {
  let lookups = pendingLookups.get(db);
  if (!lookups) {
    const created: PendingLookups = { ids: [], settle: [] };
    pendingLookups.set(db, created);
    setImmediate(() => void readPendingLookups(db, created));
    lookups = created;
  }
  lookups.ids.push(id);
  return new Promise((resolve, reject) => lookups.settle.push({ resolve, reject }));
}

/** The session row from the cache when it has a fresh one, else from the database (then cached). */
async function findSession(db: Database, id: string, cache: SessionCache | null): Promise<SessionRow | null> {
  const cached = cache?.get(id);
  if (cached) return cached;
  const readStarted = cache?.startRead() ?? 0;
  // Plain SQL on Prisma's pool rather than the Prisma client: this runs on every authenticated
  // request (docs/decisions/010-session-validation-sql.md, 019-session-lookup-statement.md).
  const row = await lookUpSession(db, id);
  if (row) cache?.set(id, row, readStarted);
  return row;
}

export async function validateSessionToken(
  db: Database,
  token: string,
  policy: SessionPolicy,
  now: Date,
  cache: SessionCache | null = null,
): Promise<SessionValidationResult> {
  const parts = parseSessionToken(token);
  if (!parts) return { session: null, user: null };

  const row = await findSession(db, parts.id, cache);
  // A wrong secret leaves the row alone: knowing an id (shown in session lists) must not let
  // anyone end someone else's session. The secret is checked on every request, cached or not.
  if (!row || !verifySessionSecret(parts.secret, row.secretHash)) return { session: null, user: null };

  const session: Session = {
    id: parts.id,
    userId: row.userId,
    kind: row.kind,
    createdAt: new Date(row.createdMs),
    lastActiveAt: new Date(row.lastActiveMs),
    expiresAt: new Date(row.expiresMs),
    secondFactorPending: row.secondFactorPending,
    factors: row.factors,
    secondFactorAt: row.secondFactorMs === null ? null : new Date(row.secondFactorMs),
  };
  if (!isSessionExpired(session, policy, now) && now.getTime() - row.lastActiveMs >= policy.renewalIntervalMs) {
    // A cached row shows the renewal at once, so concurrent hits on this instance do not write it
    // again; the write's notification then drops the row on every instance.
    row.lastActiveMs = now.getTime();
  }
  return applySessionPolicy(db, session, { id: row.userId, email: row.email, name: row.name, emailVerified: row.emailVerified }, policy, now);
}

/**
 * The live session `sessionId` of `userId`, re-read from the database: for a request that carries
 * only a reference to its session (an access token's `sid`). One SELECT, with the same expiry and
 * renewal rules as validateSessionToken.
 */
export async function validateSessionReference(
  db: DatabaseClient,
  reference: { sessionId: string; userId: string },
  policy: SessionPolicy,
  now: Date,
): Promise<SessionValidationResult> {
  const row = await db.session.findUnique({
    where: { id: reference.sessionId, userId: reference.userId },
    relationLoadStrategy: "join",
    select: { ...SESSION_SELECT, user: { select: SESSION_USER_SELECT } },
  });
  if (!row) return { session: null, user: null };
  const { user, ...session } = row;
  return applySessionPolicy(db, session, toSessionUser(user), policy, now);
}

function isSessionExpired(session: Pick<Session, "expiresAt" | "lastActiveAt">, policy: SessionPolicy, now: Date): boolean {
  return now >= session.expiresAt || now >= getSessionIdleExpiry(session, policy);
}

/** Ends an expired session (deleting its row) or renews a live one at most once per interval. */
async function applySessionPolicy(
  db: DatabaseClient,
  session: Session,
  user: SessionUser,
  policy: SessionPolicy,
  now: Date,
): Promise<SessionValidationResult> {
  if (isSessionExpired(session, policy, now)) {
    await db.session.deleteMany({ where: { id: session.id } });
    return { session: null, user: null };
  }
  if (now.getTime() - session.lastActiveAt.getTime() >= policy.renewalIntervalMs) {
    // updateMany: a concurrent sign-out may have deleted the row; that is not an error here.
    await db.session.updateMany({ where: { id: session.id }, data: { lastActiveAt: now } });
    session.lastActiveAt = now;
  }
  return { session, user };
}

export async function invalidateSession(db: DatabaseClient, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/** Ends one of the user's sessions; false when it is not theirs or does not exist. */
export async function invalidateUserSession(db: DatabaseClient, userId: string, sessionId: string): Promise<boolean> {
  const { count } = await db.session.deleteMany({ where: { id: sessionId, userId } });
  return count > 0;
}

/** Ends every session of the user except `exceptSessionId`; returns how many ended. */
export async function invalidateUserSessions(
  db: DatabaseClient,
  userId: string,
  options: { exceptSessionId?: string } = {},
): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { userId, ...(options.exceptSessionId ? { id: { not: options.exceptSessionId } } : {}) },
  });
  return count;
}

export function listUserSessions(db: DatabaseClient, userId: string) {
  return db.session.findMany({
    where: { userId },
    select: { ...SESSION_SELECT, userAgent: true, ip: true },
    orderBy: { lastActiveAt: "desc" },
  });
}

/** Rows per DELETE of the cleanup: bounds each statement's locks and its work on a large backlog. */
export const CLEANUP_BATCH_SIZE = 1_000;

/** Deletes sessions past their absolute or idle expiry in batches of `batchSize`; returns the count. */
export async function deleteExpiredSessions(
  db: DatabaseClient,
  policy: SessionPolicy,
  now: Date,
  batchSize = CLEANUP_BATCH_SIZE,
): Promise<number> {
  const idleCutoff = new Date(now.getTime() - policy.idleTimeoutMs);
  let deleted = 0;
  for (;;) {
    const batch = await db.session.findMany({
      where: { OR: [{ expiresAt: { lte: now } }, { lastActiveAt: { lte: idleCutoff } }] },
      select: { id: true },
      take: batchSize,
    });
    if (batch.length === 0) return deleted;
    const { count } = await db.session.deleteMany({ where: { id: { in: batch.map((row) => row.id) } } });
    deleted += count;
    if (batch.length < batchSize) return deleted;
  }
}
