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
    await withUniformResponseTime(() => requestPasswordReset(ctx.db, input.email, ctx.config.appOrigin, ctx.clock()));
    return { sent: true };
  }),

  /** The link's token (POST only) and the new password; answers like a sign-in. */
  complete: publicSecretProcedure
    .input(z.object({ token: mailedTokenSchema, newPassword: passwordSchema, transport: transportSchema }))
    .mutation(async ({ ctx, input }) => {
      await refuseBreachedPassword(ctx, input.newPassword, "newPassword");
      const result = await resetPassword(
        ctx.db,
        ctx.passwordHasher,
        { token: input.token, newPassword: input.newPassword },
        ctx.config.appOrigin,
        ctx.clock(),
      );
      if (result.status === "second-factor-required") {
        throw new TRPCError({ code: "FORBIDDEN", message: "This account has a second factor: confirm it to reset the password." });
      }
      if (result.status !== "reset") throw createEmailTokenError(result.status, "link");
      return { reset: true, token: await startSession(ctx, result.userId, input.transport) };
    }),
});
