// Second factors: TOTP enrolment, recovery codes, and proving a factor on the current session
// (completing a two-step sign-in, or stepping up into sudo mode). Passkeys: routers/passkey.ts.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { replaceSession } from "../auth/reauthentication.ts";
import { deleteRecoveryCodes, replaceRecoveryCodes } from "../auth/recovery-code.ts";
import { getSecondFactorStatus, listSecondFactorMethods, verifySecondFactorCode } from "../auth/second-factor.ts";
import type { Session } from "../auth/session.ts";
import { deleteTotp, startTotpEnrolment } from "../auth/totp.ts";
import type { Context } from "../context.ts";
import { createTooManyRequestsError, router, secondFactorProcedure, secondFactorSecretProcedure, sessionProcedure, sessionSecretProcedure, sudoProcedure } from "../trpc.ts";

const codeSchema = z.string().trim().min(1, "Enter the code.").max(64);
const WRONG_CODE = "The code is incorrect or has already been used.";

/**
 * Replaces the session with one that records `factor` (auth/second-factor.ts) and hands the new
 * token back the way the request came: a cookie to a browser, else in the body.
 */
export async function completeFactor(
  ctx: Context & { method: "cookie" | "bearer"; session: Session },
  factor: "totp" | "recovery_code" | "passkey",
) {
  const now = ctx.clock();
  const result = await replaceSession(ctx.db, { session: ctx.session, factor, metadata: ctx.metadata }, ctx.config.session, now);
  if (!result) throw new TRPCError({ code: "UNAUTHORIZED", message: "This session has ended. Sign in again." });
  const reauthenticatedUntil = new Date(now.getTime() + ctx.config.reauthenticationWindowMs);
  if (ctx.method === "cookie") {
    ctx.cookies.set(result.token, result.session.expiresAt);
    return { sessionId: result.session.id, token: null, reauthenticatedUntil };
  }
  return { sessionId: result.session.id, token: result.token, reauthenticatedUntil };
}

export const mfaRouter = router({
  /** What protects the account: TOTP on or off, how many passkeys and unused recovery codes. */
  status: sessionProcedure.query(({ ctx }) => getSecondFactorStatus(ctx.db, ctx.user.id)),

  /**
   * The methods that can complete a second-factor-pending session: for a sign-in that did not go
   * through auth.signIn (a provider's callback, a mailed link or code). Null for a full session.
   */
  pendingMethods: secondFactorProcedure.query(async ({ ctx }) =>
    ctx.session.secondFactorPending ? listSecondFactorMethods(await getSecondFactorStatus(ctx.db, ctx.user.id)) : null,
  ),

  /** A new TOTP key (not yet active) for the QR code; confirmTotp turns it on. Sudo mode. */
  startTotp: sudoProcedure.mutation(async ({ ctx }) => {
    const enrolment = await startTotpEnrolment(ctx.db, ctx.config.encryptionKeys, ctx.user, ctx.config.appName, ctx.clock());
    if (!enrolment) throw new TRPCError({ code: "CONFLICT", message: "Two-factor authentication is already on. Turn it off first." });
    return enrolment;
  }),

  /**
   * Turns TOTP on once a code from the app matches, and returns ten new recovery codes, shown once.
   * Also counts as proving the factor on this session.
   */
  confirmTotp: sessionSecretProcedure.input(z.object({ code: codeSchema })).mutation(async ({ ctx, input }) => {
    const check = await verifySecondFactorCode(
      ctx.db,
      { rateLimiter: ctx.rateLimiter, encryptionKeys: ctx.config.encryptionKeys },
      { userId: ctx.user.id, method: "totp", code: input.code, confirmTotp: true },
      ctx.clock(),
    );
    if (check.status === "limited") throw createTooManyRequestsError(check.retryAfterSeconds);
    if (check.status === "invalid") throw new TRPCError({ code: "BAD_REQUEST", message: WRONG_CODE });
    return { recoveryCodes: await replaceRecoveryCodes(ctx.db, ctx.user.id) };
  }),

  /** Turns TOTP off (sudo mode); recovery codes go too when no passkey is left to recover. */
  disableTotp: sudoProcedure.mutation(async ({ ctx }) => {
    const disabled = await ctx.db.$transaction(async (tx) => {
      const deleted = await deleteTotp(tx, ctx.user.id);
      if ((await tx.passkey.count({ where: { userId: ctx.user.id } })) === 0) await deleteRecoveryCodes(tx, ctx.user.id);
      return deleted;
    });
    return { disabled };
  }),

  /** Ten new recovery codes, shown once; the old ones stop working (sudo mode). */
  regenerateRecoveryCodes: sudoProcedure.mutation(async ({ ctx }) => {
    const status = await getSecondFactorStatus(ctx.db, ctx.user.id);
    if (!status.totp && status.passkeys === 0) {
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Set up a second factor first." });
    }
    return { recoveryCodes: await replaceRecoveryCodes(ctx.db, ctx.user.id) };
  }),

  /**
   * Proves a TOTP code or a recovery code on this session: completes a two-step sign-in, or (on a
   * full session) enters sudo mode. Either way the session is replaced (new token).
   */
  verify: secondFactorSecretProcedure
    .input(z.object({ method: z.enum(["totp", "recovery_code"]), code: codeSchema }))
    .mutation(async ({ ctx, input }) => {
      const check = await verifySecondFactorCode(
        ctx.db,
        { rateLimiter: ctx.rateLimiter, encryptionKeys: ctx.config.encryptionKeys },
        { userId: ctx.user.id, method: input.method, code: input.code },
        ctx.clock(),
      );
      if (check.status === "limited") throw createTooManyRequestsError(check.retryAfterSeconds);
      if (check.status === "invalid") throw new TRPCError({ code: "BAD_REQUEST", message: WRONG_CODE });
      return { ...(await completeFactor(ctx, check.factor)), user: ctx.user, recoveryCodesLeft: check.recoveryCodesLeft };
    }),
});
