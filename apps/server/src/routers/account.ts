// Account settings. Changing the password ends every session and starts a fresh current one;
// changing the email (sudo mode) takes effect once the new address is proved from its mail;
// deleting the account (sudo mode) removes the user with their sessions and data.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { confirmEmailChange, requestEmailChange } from "../auth/email-change.ts";
import { PASSWORD_MAX_LENGTH } from "../auth/password.ts";
import { verifyPasswordAttempt } from "../auth/password-attempt.ts";
import { addSessionFactor, createSession, invalidateUserSessions } from "../auth/session.ts";
import { composePasswordChangedMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import {
  createEmailTokenError,
  createTooManyRequestsError,
  protectedProcedure,
  publicSecretProcedure,
  router,
  sessionSecretProcedure,
  sudoProcedure,
} from "../trpc.ts";
import { emailSchema, passwordSchema, refuseBreachedPassword } from "./auth.ts";
import { mailedTokenSchema } from "./verification.ts";

export const accountRouter = router({
  /** The signed-in user's account as stored now (the role decides what the app offers). */
  get: protectedProcedure.query(async ({ ctx }) => {
    const account = await ctx.db.user.findUnique({
      where: { id: ctx.user.id },
      select: { id: true, email: true, name: true, role: true, createdAt: true, emailVerifiedAt: true },
    });
    // A JWT may outlive its user by one token lifetime.
    if (!account) throw new TRPCError({ code: "UNAUTHORIZED", message: "This account no longer exists." });
    const { emailVerifiedAt, ...profile } = account;
    return { ...profile, emailVerified: emailVerifiedAt !== null };
  }),
  // The current password is the re-authentication here: no recent sign-in is needed as well.
  changePassword: sessionSecretProcedure
    .input(z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const attempt = await verifyPasswordAttempt(ctx.db, ctx, {
        where: { id: ctx.user.id },
        email: ctx.user.email,
        ip: ctx.metadata.ip,
        password: input.currentPassword,
      });
      if (attempt.status === "limited") throw createTooManyRequestsError(attempt.retryAfterSeconds);
      if (attempt.status === "invalid") {
        throw new TRPCError({ code: "BAD_REQUEST", message: "The current password is incorrect." });
      }
      await refuseBreachedPassword(ctx, input.newPassword, "newPassword");
      const newHash = await ctx.passwordHasher.hash(input.newPassword);
      const { token, session } = await ctx.db.$transaction(async (tx) => {
        await tx.user.update({ where: { id: ctx.user.id }, data: { passwordHash: newHash } });
        // Every session, the current one included: its token may be what leaked.
        await invalidateUserSessions(tx, ctx.user.id);
        // The owner hears of it, in case it was not them (ASVS 5.0 6.3.6).
        await enqueueMail(tx, composePasswordChangedMail(ctx.config.appOrigin, ctx.user.email));
        return createSession(
          tx,
          // The second factor proved on this session still counts for its replacement.
          { userId: ctx.user.id, kind: ctx.session.kind, metadata: ctx.metadata, assurance: addSessionFactor(ctx.session, "password", ctx.clock()) },
          ctx.config.session,
          ctx.clock(),
        );
      });
      // The rotated token goes back the way the request came: a cookie to a browser, else the body.
      if (ctx.auth.method === "cookie") {
        ctx.cookies.set(token, session.expiresAt);
        return { sessionId: session.id, token: null };
      }
      return { sessionId: session.id, token };
    }),
  /** Sudo mode: mails a confirmation link to `newEmail` and a notice (with a way back) to the current address. */
  changeEmail: sudoProcedure.input(z.object({ newEmail: emailSchema })).mutation(async ({ ctx, input }) => {
    if (input.newEmail === ctx.user.email) throw new TRPCError({ code: "BAD_REQUEST", message: "That is already your email address." });
    const limit = await ctx.rateLimiter.consumeMailRequest(input.newEmail, ctx.metadata.ip);
    if (limit.limited) throw createTooManyRequestsError(limit.retryAfterSeconds);
    await requestEmailChange(ctx.db, ctx.user, input.newEmail, ctx.config.appOrigin, ctx.clock());
    return { sentTo: input.newEmail };
  }),
  /**
   * The link from the new address's mail (POST only). Public: the link itself proves the address,
   * and it may be opened on a device that is not signed in. Starts no session.
   */
  confirmEmailChange: publicSecretProcedure.input(z.object({ token: mailedTokenSchema })).mutation(async ({ ctx, input }) => {
    const result = await confirmEmailChange(ctx.db, input.token, ctx.clock());
    if (result.status === "taken") throw new TRPCError({ code: "CONFLICT", message: "Another account uses that address now." });
    if (result.status !== "changed") throw createEmailTokenError(result.status, "link");
    return { email: result.email };
  }),
  /**
   * Deletes the user; the database cascades to their sessions and notes (prisma/schema.prisma), so
   * every token of theirs fails on its next request. Access tokens already issued keep passing
   * protectedProcedure until they expire, but find no data (docs/tokens.md, revocation lag).
   */
  delete: sudoProcedure.mutation(async ({ ctx }) => {
    await ctx.db.user.deleteMany({ where: { id: ctx.user.id } });
    if (ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { deleted: true };
  }),
});
