// Proving the account's address: the mailed link (consumed by the verify page with a POST) or the
// code typed with the address; one such check per HTTP request (publicSecretProcedure). Either verifies and signs in, like a sign-in (a new session; with
// `transport: "token"` a bearer token in the body for apps and CLIs). Resending is rate-limited and
// answers the same for every address. auth/email-verification.ts holds the rules.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { EMAIL_CODE_DIGITS } from "../auth/email-token.ts";
import { resendVerificationMail, verifyEmail, type VerificationProof } from "../auth/email-verification.ts";
import { withUniformResponseTime } from "../auth/response-time.ts";
import { startFirstFactorSignIn } from "../auth/second-factor.ts";
import type { Context } from "../context.ts";
import { createEmailTokenError, createTooManyRequestsError, publicProcedure, publicSecretProcedure, router } from "../trpc.ts";
import { emailSchema, startSession, transportSchema } from "./auth.ts";

// Mailed tokens are `<id>.<secret>` in base32: far shorter than this.
export const mailedTokenSchema = z.string().trim().min(1, "This link is incomplete.").max(200);
const codeSchema = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${EMAIL_CODE_DIGITS}}$`), `Enter the ${EMAIL_CODE_DIGITS}-digit code from the email.`);

async function verifyAndSignIn(ctx: Context, proof: VerificationProof, transport: "cookie" | "token", kind: "link" | "code") {
  const result = await verifyEmail(ctx.db, proof, ctx.clock());
  if (result.status !== "verified") throw createEmailTokenError(result.status, kind);
  // Like a password: a user with a second factor gets a pending session and the methods to ask for.
  const { methods, ...options } = await startFirstFactorSignIn(ctx.db, result.userId, "email");
  const token = await startSession(ctx, result.userId, transport, options);
  return { verified: true, token, secondFactor: methods.length > 0 ? { methods } : null };
}

export const verificationRouter = router({
  /** The link's token (from the page's URL fragment), sent by POST only: mail scanners' GETs burn nothing. */
  confirmLink: publicSecretProcedure
    .input(z.object({ token: mailedTokenSchema, transport: transportSchema }))
    .mutation(({ ctx, input }) => verifyAndSignIn(ctx, { token: input.token }, input.transport, "link")),

  /** The code from the mail, with the address it was sent to (the session's, when signed in). */
  confirmCode: publicSecretProcedure
    .input(z.object({ email: emailSchema.optional(), code: codeSchema, transport: transportSchema }))
    .mutation(({ ctx, input }) => {
      const email = ctx.auth?.user.email ?? input.email;
      if (!email) throw new TRPCError({ code: "BAD_REQUEST", message: "Enter the email address the code was sent to." });
      return verifyAndSignIn(ctx, { email, code: input.code }, input.transport, "code");
    }),

  /** A new link and code for an unverified account; the same answer, in the same time, for any address. */
  resend: publicProcedure.input(z.object({ email: emailSchema.optional() })).mutation(async ({ ctx, input }) => {
    const email = ctx.auth?.user.email ?? input.email;
    if (!email) throw new TRPCError({ code: "BAD_REQUEST", message: "Enter your email address." });
    const limit = await ctx.rateLimiter.consumeMailRequest(email, ctx.metadata.ip);
    if (limit.limited) throw createTooManyRequestsError(limit.retryAfterSeconds);
    await withUniformResponseTime(() => resendVerificationMail(ctx.db, email, ctx.config.appOrigin, ctx.clock()), ctx.config.uniformResponseMs);
    return { sent: true };
  }),
});
