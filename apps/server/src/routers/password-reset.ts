// "Forgot password": the request mails a single-use link (30 minutes) and answers the same, in the
// same time, for every address, rate-limited per address and per IP. Completing it sets the
// password, ends every session and signs in on a fresh one. auth/password-reset.ts holds the rules.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { requestPasswordReset, resetPassword } from "../auth/password-reset.ts";
import { withUniformResponseTime } from "../auth/response-time.ts";
import { createEmailTokenError, createTooManyRequestsError, publicProcedure, publicSecretProcedure, router } from "../trpc.ts";
import { emailSchema, passwordSchema, refuseBreachedPassword, startSession, transportSchema } from "./auth.ts";
import { mailedTokenSchema } from "./verification.ts";

export const passwordResetRouter = router({
  request: publicProcedure.input(z.object({ email: emailSchema })).mutation(async ({ ctx, input }) => {
    const limit = await ctx.rateLimiter.consumeMailRequest(input.email, ctx.metadata.ip);
    if (limit.limited) throw createTooManyRequestsError(limit.retryAfterSeconds);
    await withUniformResponseTime(() => requestPasswordReset(ctx.db, input.email, ctx.config.appOrigin, ctx.clock()), ctx.config.uniformResponseMs);
    return { sent: true };
  }),

  /** The link's token (POST only) and the new password; answers like a sign-in. */
  complete: publicSecretProcedure
    .input(
      z.object({
        token: mailedTokenSchema,
        newPassword: passwordSchema,
        // Required when the account has a second factor (a passkey-only account uses a recovery code).
        secondFactor: z.object({ method: z.enum(["totp", "recovery_code"]), code: z.string().trim().min(1, "Enter the code.").max(64) }).optional(),
        transport: transportSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await refuseBreachedPassword(ctx, input.newPassword, "newPassword");
      const now = ctx.clock();
      const result = await resetPassword(
        ctx.db,
        { passwordHasher: ctx.passwordHasher, rateLimiter: ctx.rateLimiter, encryptionKeys: ctx.config.encryptionKeys },
        { token: input.token, newPassword: input.newPassword, secondFactor: input.secondFactor ?? null },
        ctx.config.appOrigin,
        now,
      );
      if (result.status === "second-factor-required") {
        // Nothing was spent: the page asks for a code and sends the form again.
        return { reset: false, token: null, secondFactor: { methods: result.methods } };
      }
      if (result.status === "second-factor-invalid") {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "The code is incorrect or has already been used." });
      }
      if (result.status === "second-factor-limited") throw createTooManyRequestsError(result.retryAfterSeconds);
      if (result.status !== "reset") throw createEmailTokenError(result.status, "link");
      // The new password, and the second factor proved with it: a full session, never a pending one.
      const assurance = result.secondFactor
        ? { factors: ["password" as const, result.secondFactor], secondFactorAt: now, secondFactorPending: false }
        : undefined;
      return { reset: true, token: await startSession(ctx, result.userId, input.transport, { assurance }), secondFactor: null };
    }),
});
