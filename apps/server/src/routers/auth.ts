// Sign-up, sign-in, sign-out, re-authentication, the current user and access tokens. Every sign-in
// creates a new session (fixation). `transport: "token"` is the variant for native apps and CLIs
// (docs/tokens.md). Password checks, sign-ups and token issue are rate-limited (auth/rate-limit.ts).
// Sign-up starts no session: it answers "check your email" whether or not the address has an
// account, and the mailed link or code signs in (routers/verification.ts).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createAccessToken } from "../auth/access-token.ts";
import { isPasswordBreached } from "../auth/breached-password.ts";
import { isCommonPassword } from "../auth/common-password.ts";
import { registerAccount } from "../auth/email-verification.ts";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/password.ts";
import { verifyPasswordAttempt } from "../auth/password-attempt.ts";
import { reauthenticateSession } from "../auth/reauthentication.ts";
import { withUniformResponseTime } from "../auth/response-time.ts";
import { startFirstFactorSignIn } from "../auth/second-factor.ts";
import { createSession, invalidateSession, invalidateUserSession } from "../auth/session.ts";
import type { Context } from "../context.ts";
import {
  createSecondFactorPendingError,
  createTooManyRequestsError,
  createWrongPasswordError,
  publicProcedure,
  router,
  publicSecretProcedure,
  sessionProcedure,
  sessionSecretProcedure,
} from "../trpc.ts";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.").max(254));
/** A new password: its length, and not one of the most common passwords (auth/common-password.ts). */
export const passwordSchema = z
  .string()
  // `abort`: a password of the wrong length gets that one message, not the common-password one too.
  .min(PASSWORD_MIN_LENGTH, { error: `Use at least ${PASSWORD_MIN_LENGTH} characters.`, abort: true })
  .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters.`, abort: true })
  .refine(async (password) => !(await isCommonPassword(password)), "This is one of the most common passwords. Choose one that is harder to guess.");

const BREACHED_PASSWORD_MESSAGE = "This password has appeared in a data breach. Choose another.";

/**
 * With PASSWORD_BREACH_CHECK=hibp, refuses a new password that Have I Been Pwned lists, as a field
 * error on `field` like the schema's own (an unreachable service lets it through).
 */
export async function refuseBreachedPassword(ctx: Context, password: string, field: string): Promise<void> {
  const check = ctx.config.passwordBreachCheck;
  if (!check || !(await isPasswordBreached(check, password))) return;
  // Made by a schema, not `new z.ZodError`: zod 4's constructor gives no Error, which tRPC would wrap.
  const fieldError = z.object({ [field]: z.never({ error: BREACHED_PASSWORD_MESSAGE }) }).safeParse({ [field]: password }).error;
  throw new TRPCError({ code: "BAD_REQUEST", message: BREACHED_PASSWORD_MESSAGE, cause: fieldError });
}

/** How the new session's token reaches the client: a cookie (browsers) or the response body. */
export const transportSchema = z.enum(["cookie", "token"]).default("cookie");
type Transport = z.infer<typeof transportSchema>;

const INVALID_CREDENTIALS = "Invalid email or password.";

/**
 * Starts a session and returns its token when it travels in the body (null for a cookie).
 * `assurance` records how the user got here (auth/second-factor.ts startFirstFactorSignIn); a
 * session started by a mailed code or link alone gets no sudo mode (auth/session.ts).
 * Cookie: ends the cookie session the request came with (fixation), then sets the new cookie.
 * Token: a `bearer` session whose token is returned once; no cookie is set and a browser session
 * the request may carry is left alone (the token is not ambient, so it cannot be fixed on anyone).
 */
export async function startSession(
  ctx: Context,
  userId: string,
  transport: Transport,
  options: Pick<Parameters<typeof createSession>[1], "assurance" | "lifetimeMs"> = {},
): Promise<string | null> {
  const current = ctx.auth ?? ctx.pendingAuth;
  if (transport === "cookie" && current?.method === "cookie") await invalidateSession(ctx.db, current.session.id);
  const { token, session } = await createSession(
    ctx.db,
    { userId, kind: transport === "cookie" ? "cookie" : "bearer", metadata: ctx.metadata, ...options },
    ctx.config.session,
    ctx.clock(),
  );
  if (transport === "token") return token;
  ctx.cookies.set(token, session.expiresAt);
  return null;
}

export const authRouter = router({
  signUp: publicProcedure
    .input(
      z.object({
        email: emailSchema,
        password: passwordSchema,
        name: z.string().trim().min(1, "Enter your name.").max(100),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // Counted before the (deliberately slow) hash, failed sign-ups included; neither limit
      // depends on whether the address has an account.
      const limit = await ctx.rateLimiter.consumeSignUp(ctx.metadata.ip);
      if (limit.limited) throw createTooManyRequestsError(limit.retryAfterSeconds);
      const mailLimit = await ctx.rateLimiter.consumeMailRequest(input.email, ctx.metadata.ip);
      if (mailLimit.limited) throw createTooManyRequestsError(mailLimit.retryAfterSeconds);
      // Depends on the password only, so it tells nothing about the address either.
      await refuseBreachedPassword(ctx, input.password, "password");
      // ASVS 5.0 6.3.8: a new and a registered address get the same answer, cookies (none) and time.
      await withUniformResponseTime(async () => {
        const passwordHash = await ctx.passwordHasher.hash(input.password);
        await registerAccount(ctx.db, { email: input.email, name: input.name, passwordHash }, ctx.config.appOrigin, ctx.clock());
      }, ctx.config.uniformResponseMs);
      return { checkEmail: true };
    }),

  signIn: publicSecretProcedure
    .input(z.object({ email: emailSchema, password: z.string().max(PASSWORD_MAX_LENGTH), transport: transportSchema }))
    .mutation(async ({ ctx, input }) => {
      // Unknown email and wrong password take the same path and give the same answer.
      const attempt = await verifyPasswordAttempt(ctx.db, ctx, {
        where: { email: input.email },
        email: input.email,
        ip: ctx.metadata.ip,
        password: input.password,
      });
      if (attempt.status === "limited") throw createTooManyRequestsError(attempt.retryAfterSeconds);
      if (attempt.status === "invalid") throw new TRPCError({ code: "UNAUTHORIZED", message: INVALID_CREDENTIALS });
      // With a second factor, the password only opens a pending session (auth/second-factor.ts).
      const { methods, ...options } = await startFirstFactorSignIn(ctx.db, attempt.user.id, "password");
      const token = await startSession(ctx, attempt.user.id, input.transport, options);
      return { user: attempt.user, token, secondFactor: methods.length > 0 ? { methods } : null };
    }),
  /**
   * Sudo mode: proves the password again. The session is replaced by a new one (new token, the old
   * one ended; returned like account.changePassword does) in which sensitive operations
   * (sudoProcedure) run without the password for REAUTHENTICATION_WINDOW_MINUTES.
   */
  reauthenticate: sessionSecretProcedure
    .input(z.object({ password: z.string().max(PASSWORD_MAX_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      const now = ctx.clock();
      const result = await reauthenticateSession(
        ctx.db,
        ctx,
        { session: ctx.session, user: ctx.user, metadata: ctx.metadata, password: input.password },
        ctx.config.session,
        now,
      );
      if (result.status === "limited") throw createTooManyRequestsError(result.retryAfterSeconds);
      if (result.status === "invalid") throw createWrongPasswordError();
      if (result.status === "ended") throw new TRPCError({ code: "UNAUTHORIZED", message: "This session has ended. Sign in again." });
      const reauthenticatedUntil = new Date(now.getTime() + ctx.config.reauthenticationWindowMs);
      // The new token goes back the way the request came: a cookie to a browser, else the body.
      if (ctx.auth.method === "cookie") {
        ctx.cookies.set(result.token, result.session.expiresAt);
        return { reauthenticatedUntil, sessionId: result.session.id, token: null };
      }
      return { reauthenticatedUntil, sessionId: result.session.id, token: result.token };
    }),

  // With an access token this ends the session it was issued from.
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    const current = ctx.auth ?? ctx.pendingAuth;
    if (current) await invalidateUserSession(ctx.db, current.user.id, current.session.id);
    if (ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { signedOut: true };
  }),

  // Who is signed in. No credential at all answers null (200): a signed-out page load is not an
  // error. A credential that no longer works is one (401), so clients learn their session ended.
  // Under an access token: what the token says, without a query (its session is only an id).
  // `emailVerification` tells the app whether an unverified user sees only the verify page.
  me: publicProcedure.query(({ ctx: { auth, pendingAuth, credential, config } }) => {
    if (!auth) {
      // A second-factor-pending session is a credential that works for the second step only.
      if (pendingAuth) throw createSecondFactorPendingError();
      if (credential) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
      return null;
    }
    return auth.method === "jwt"
      ? { method: auth.method, user: auth.user, session: { id: auth.session.id }, emailVerification: config.email.verification }
      : {
          method: auth.method,
          user: auth.user,
          session: {
            id: auth.session.id,
            kind: auth.session.kind,
            expiresAt: auth.session.expiresAt,
            factors: auth.session.factors,
            secondFactorAt: auth.session.secondFactorAt,
          },
          emailVerification: config.email.verification,
        };
  }),

  /** A short-lived JWT for this session (DESIGN §4); refresh it with the session token, not with itself. */
  issueAccessToken: sessionProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth.method === "jwt") {
      throw new TRPCError({ code: "FORBIDDEN", message: "Access tokens are issued for a session token or cookie, not another access token." });
    }
    const limit = await ctx.rateLimiter.consumeAccessTokenIssue(ctx.session.id);
    if (limit.limited) throw createTooManyRequestsError(limit.retryAfterSeconds);
    return createAccessToken(
      ctx.config.accessToken,
      { userId: ctx.user.id, sessionId: ctx.session.id, email: ctx.user.email, name: ctx.user.name, emailVerified: ctx.user.emailVerified },
      ctx.clock(),
    );
  }),
});
