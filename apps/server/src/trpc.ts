// tRPC builders. Procedures import these, never the raw `t`.
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { PASSWORD_MAX_LENGTH } from "./auth/password.ts";
import { PasswordHasherBusyError } from "./auth/password-hasher.ts";
import { isSessionRecentlyAuthenticated, verifySessionUserPassword } from "./auth/reauthentication.ts";
import { getUserRole } from "./auth/role.ts";
import { validateSessionReference } from "./auth/session.ts";
import type { Context } from "./context.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseOutageError } from "./database-outage.ts";
import { Prisma } from "./generated/prisma/client.ts";

/** Why a request was refused with TOO_MANY_REQUESTS or SERVICE_UNAVAILABLE: when to try again (the errorFormatter sends it). */
class RetryAfter extends Error {
  constructor(readonly seconds: number) {
    super(`Retry after ${seconds} s`);
  }
}

/** Why a request was refused with FORBIDDEN: the session must prove the password again first. */
class ReauthenticationRequired extends Error {}

/** Why a request was refused: the session has passed its first factor only, or this needs MFA. */
class SecondFactorRequired extends Error {}

/** Why a request was refused with FORBIDDEN: the user must verify their email address first. */
class EmailVerificationRequired extends Error {}

const MINUTE_S = 60;
const HOUR_S = 60 * MINUTE_S;

function describeSeconds(seconds: number): string {
  const plural = (value: number, unit: string) => `${value} ${unit}${value === 1 ? "" : "s"}`;
  if (seconds < 2 * MINUTE_S) return plural(seconds, "second");
  if (seconds < 2 * HOUR_S) return plural(Math.ceil(seconds / MINUTE_S), "minute");
  return plural(Math.ceil(seconds / HOUR_S), "hour");
}

/** TOO_MANY_REQUESTS (429) with the retry time in the message, `data.retryAfterSeconds` and `Retry-After`. */
export function createTooManyRequestsError(retryAfterSeconds: number): TRPCError {
  return new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `Too many attempts. Try again in ${describeSeconds(retryAfterSeconds)}.`,
    cause: new RetryAfter(retryAfterSeconds),
  });
}

/**
 * SERVICE_UNAVAILABLE (503): the hashing pool is full, or the database is down, restarting or too
 * slow; `data.retryAfterSeconds` and `Retry-After` say when to retry. A database write under way
 * took effect whole or not at all, and is never retried here.
 */
export function createServiceUnavailableError(retryAfterSeconds: number): TRPCError {
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: `The server is busy. Try again in ${describeSeconds(retryAfterSeconds)}.`,
    cause: new RetryAfter(retryAfterSeconds),
  });
}

/** For a catch: a database outage (database-outage.ts) becomes SERVICE_UNAVAILABLE, anything else is rethrown. */
export function rethrowDatabaseOutage(error: unknown): never {
  throw isDatabaseOutageError(error) ? createServiceUnavailableError(DATABASE_RETRY_AFTER_SECONDS) : error;
}

/** A re-authentication with the wrong password (BAD_REQUEST: the session itself is fine). */
export function createWrongPasswordError(): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message: "The password is incorrect." });
}

/** A mailed link or code that cannot be used (BAD_REQUEST); the message says to request a new one. */
export function createEmailTokenError(status: "expired" | "invalid", kind: "link" | "code"): TRPCError {
  const message =
    status === "expired"
      ? `This ${kind} has expired. Request a new one.`
      : kind === "link"
        ? "This link is not valid or has already been used. Request a new one."
        : "That code is not right, or it has expired or been used. Check it, or request a new one.";
  return new TRPCError({ code: "BAD_REQUEST", message });
}

/** The retry time of a TOO_MANY_REQUESTS error made above, for the `Retry-After` header. */
/** The retry time of a TOO_MANY_REQUESTS or SERVICE_UNAVAILABLE error made above, for the `Retry-After` header. */
export function getRetryAfterSeconds(error: TRPCError): number | null {
  return error.cause instanceof RetryAfter ? error.cause.seconds : null;
}

const INTERNAL_ERROR_MESSAGE = "Internal server error.";
const t = initTRPC.context<Context>().create({
  // Never send stack traces to clients, whatever NODE_ENV says; the server logs internal errors.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      // An internal error's message names code and queries (Prisma's does): the server logs it.
      message: error.code === "INTERNAL_SERVER_ERROR" ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...shape.data,
        // Field errors for forms: { formErrors: string[], fieldErrors: { email?: string[], ... } }.
        zodError: error.code === "BAD_REQUEST" && cause instanceof z.ZodError ? z.flattenError(cause) : null,
        // Seconds until a refused call may be tried again (TOO_MANY_REQUESTS, SERVICE_UNAVAILABLE).
        retryAfterSeconds: cause instanceof RetryAfter ? cause.seconds : null,
        // The session must re-enter the password (auth.reauthenticate) before this call (FORBIDDEN).
        reauthenticationRequired: cause instanceof ReauthenticationRequired,
        // The session must prove a second factor (mfa.verify or passkey.verify) before this call.
        secondFactorRequired: cause instanceof SecondFactorRequired,
        // The user must verify their email (EMAIL_VERIFICATION=required) before this call (FORBIDDEN).
        emailVerificationRequired: cause instanceof EmailVerificationRequired,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// A NUL character (PostgreSQL text cannot store it) or half of a surrogate pair (stored as U+FFFD).
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether any string or key in a parsed JSON input is unstorable text; iterative, so depth cannot overflow. */
function hasUnstorableText(input: unknown): boolean {
  const pending = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (UNSTORABLE_TEXT.test(value)) return true;
    } else if (typeof value === "object" && value !== null) {
      for (const [key, entry] of Object.entries(value)) {
        if (UNSTORABLE_TEXT.test(key)) return true;
        pending.push(entry);
      }
    }
  }
  return false;
}

/**
 * What every procedure runs first, in one middleware: each middleware is a hop through tRPC's
 * callRecursive, which copies the call's options twice per hop (docs/decisions/028-one-edge-middleware.md).
 * - Unstorable text in the input is refused with BAD_REQUEST before the input schema runs, never a 500.
 * - After a mutation, this instance's session cache has applied every change committed so far: a
 *   session the mutation ended (sign-out, revocation, password change) fails on the next request.
 * - A full hashing pool (auth/password-hasher.ts) or a database outage anywhere in a call
 *   (middlewares included) is a busy or briefly unavailable server, not an internal error: 503, never 500.
 */
const guardProcedure = t.middleware(async ({ ctx, type, getRawInput, next }) => {
  if (hasUnstorableText(await getRawInput())) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Text must be valid Unicode without NUL characters." });
  }
  const result = await next();
  if (type === "mutation" && ctx.sessionCache) await ctx.sessionCache.sync();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof PasswordHasherBusyError) throw createServiceUnavailableError(cause.retryAfterSeconds);
  if (isDatabaseOutageError(cause)) throw createServiceUnavailableError(DATABASE_RETRY_AFTER_SECONDS);
  return result;
});

export const publicProcedure = t.procedure.use(guardProcedure);

/**
 * Takes one of the request's secret checks (context.ts: SecretCheckBudget), or refuses the call
 * before any hash: the other calls of a batch cannot guess more passwords or codes.
 */
function claimSecretCheck(ctx: Context): void {
  if (ctx.secretChecks.remaining <= 0) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Only one password or code check per request: send this call on its own." });
  }
  ctx.secretChecks.remaining--;
}

const checksSecret = t.middleware(({ ctx, next }) => {
  claimSecretCheck(ctx);
  return next();
});

/** A public procedure that checks a secret (sign-in): at most one such call runs per HTTP request. */
export const publicSecretProcedure = publicProcedure.use(checksSecret);

const SESSION_ENDED_MESSAGE = "This session has ended. Sign in again.";
const SECOND_FACTOR_PENDING_MESSAGE = "Enter your second factor to finish signing in.";

/** A write that referenced a user or session row that no longer exists (foreign key violation). */
function isMissingReferenceError(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003";
}

/** UNAUTHORIZED with `data.secondFactorRequired`: the request's session still waits for its second step. */
export function createSecondFactorPendingError(): TRPCError {
  return new TRPCError({ code: "UNAUTHORIZED", message: SECOND_FACTOR_PENDING_MESSAGE, cause: new SecondFactorRequired() });
}

const requireAuthentication = t.middleware(async ({ ctx, next }) => {
  if (!ctx.auth && ctx.pendingAuth) throw createSecondFactorPendingError();
  if (!ctx.auth) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  // tRPC merges these keys into ctx; passing only them saves copying the whole context twice.
  const result = await next({ ctx: { auth: ctx.auth, session: ctx.auth.session, user: ctx.auth.user } });
  // An access token outlives its account by up to one lifetime: a write for a deleted user then
  // fails its foreign key. That is an ended session, not a server error.
  if (!result.ok && ctx.auth.method === "jwt" && isMissingReferenceError(result.error.cause)) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: SESSION_ENDED_MESSAGE });
  }
  return result;
});

/**
 * A procedure that runs only for a signed-in user: `ctx.user` and `ctx.session` are non-null and
 * `ctx.auth.method` says how. With an access token (jwt) nothing was read from the database, so the
 * session may have been revoked up to one token lifetime ago; `ctx.session` is then only its id.
 */
export const protectedProcedure = publicProcedure.use(requireAuthentication);

/**
 * For sensitive operations (password, sessions, issuing tokens): the session row is always live.
 * Cookie and bearer requests were checked on this request; an access token's session is looked up
 * (one SELECT), so a revoked session is refused at once. `ctx.session` is the full row.
 */
export const sessionProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (ctx.auth.method !== "jwt") return next({ ctx: { session: ctx.auth.session } });
  const { session, user } = await validateSessionReference(
    ctx.db,
    { sessionId: ctx.auth.session.id, userId: ctx.auth.user.id },
    ctx.config.session,
    ctx.clock(),
  );
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: SESSION_ENDED_MESSAGE });
  return next({ ctx: { session, user } });
});

/**
 * For every feature procedure (`note`, what `pnpm gen router` makes): a signed-in user (as
 * protectedProcedure) whose email is verified when EMAIL_VERIFICATION=required, else FORBIDDEN with
 * `data.emailVerificationRequired` (the app then shows only its verify page). With `optional` or
 * `off` it is protectedProcedure. Cookie and bearer requests read the flag in the session's own
 * query; an access token carries it (`email_verified`), and only a token that says "unverified" costs
 * a lookup, so verifying takes effect at once.
 */
export const verifiedProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (ctx.config.email.verification !== "required" || ctx.user.emailVerified) return next();
  if (ctx.auth.method === "jwt") {
    const row = await ctx.db.user.findUnique({ where: { id: ctx.user.id }, select: { emailVerifiedAt: true } });
    // An access token outlives its deleted account by up to one lifetime.
    if (!row) throw new TRPCError({ code: "UNAUTHORIZED", message: SESSION_ENDED_MESSAGE });
    if (row.emailVerifiedAt) return next();
  }
  throw new TRPCError({
    code: "FORBIDDEN",
    message: "Verify your email address to continue.",
    cause: new EmailVerificationRequired(),
  });
});
/** A sessionProcedure that checks a secret (re-authentication, password change): one per HTTP request. */
export const sessionSecretProcedure = sessionProcedure.use(checksSecret);

/** An optional `password` on sensitive procedures: authorizes that one call (no window, no new token). */
const reauthenticationInput = z.object({ password: z.string().max(PASSWORD_MAX_LENGTH).optional() }).optional();

/**
 * "Sudo mode": the session's password check (sign-in or auth.reauthenticate) must be recent, or the
 * request brings the password. Runs after sessionProcedure, so the session is live;
 * `ctx.auth.session.id` is its id under every credential.
 */
const requireRecentAuthentication = t.middleware(async ({ ctx, input, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  const password = reauthenticationInput.parse(input)?.password;
  if (password !== undefined) {
    claimSecretCheck(ctx);
    const check = await verifySessionUserPassword(ctx.db, ctx, { user: ctx.auth.user, ip: ctx.metadata.ip, password });
    if (check.status === "limited") throw createTooManyRequestsError(check.retryAfterSeconds);
    if (check.status === "invalid") throw createWrongPasswordError();
  } else if (!(await isSessionRecentlyAuthenticated(ctx.db, ctx.auth.session.id, ctx.config.reauthenticationWindowMs, ctx.clock()))) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Enter your password again to continue.",
      cause: new ReauthenticationRequired(),
    });
  }
  return next();
});

/**
 * For the most sensitive operations (ending every other session, deleting the account): a live
 * session (sessionProcedure) whose password was checked within REAUTHENTICATION_WINDOW_MINUTES,
 * else FORBIDDEN with `data.reauthenticationRequired`. Clients call `auth.reauthenticate` (a new
 * session token and window) and retry, or send `password` with the call (that call only).
 * docs/decisions/008-reauthentication-and-admin.md
 */
export const sudoProcedure = sessionProcedure.input(reauthenticationInput).use(requireRecentAuthentication);

const requireAdmin = t.middleware(async ({ ctx, next }) => {
  // Read on every call, so a demotion takes effect at once (the role is in no token).
  const role = ctx.auth ? await getUserRole(ctx.db, ctx.auth.user.id) : null;
  if (role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "This needs an administrator account." });
  return next();
});

/** Administration: a live session (sessionProcedure) of a user whose role is admin; FORBIDDEN otherwise. */
export const adminProcedure = sessionProcedure.use(requireAdmin);

/** Administrative changes: an admin whose session passed the sudo-mode check as well. */
export const adminSudoProcedure = adminProcedure.input(reauthenticationInput).use(requireRecentAuthentication);

/**
 * The second-factor procedures (mfa.verify, passkey.authenticationOptions/verify): the only ones a
 * second-factor-pending session reaches. A full cookie or bearer session is accepted too (step-up
 * into sudo mode); an access token is not, since proving a factor replaces the session row.
 * `ctx.session` is the row and `ctx.method` the channel either way.
 */
export const secondFactorProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const current = ctx.pendingAuth ?? (ctx.auth?.method === "jwt" ? null : ctx.auth);
  if (!current) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { method: current.method, session: current.session, user: current.user } });
});

/** A secondFactorProcedure that checks a code or a passkey (mfa.verify, passkey.verify): one per HTTP request. */
export const secondFactorSecretProcedure = secondFactorProcedure.use(checksSecret);

/**
 * For operations that need multi-factor authentication: a live session (sessionProcedure) on which
 * a second factor, or a passkey with user verification, was proved; else FORBIDDEN with
 * `data.secondFactorRequired` (the client proves one through mfa.verify or passkey.verify).
 */
export const mfaProcedure = sessionProcedure.use(({ ctx, next }) => {
  if (ctx.session.secondFactorAt === null) {
    throw new TRPCError({ code: "FORBIDDEN", message: "This needs a second factor: set one up, or prove yours again.", cause: new SecondFactorRequired() });
  }
  return next();
});
