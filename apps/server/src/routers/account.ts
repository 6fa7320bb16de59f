// Account settings. Changing the password ends every session and starts a fresh current one.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hashPassword, PASSWORD_MAX_LENGTH, verifyPassword } from "../auth/password.ts";
import { createSession, invalidateUserSessions } from "../auth/session.ts";
import { router, sessionProcedure } from "../trpc.ts";
import { passwordSchema } from "./auth.ts";

export const accountRouter = router({
  changePassword: sessionProcedure
    .input(z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const { passwordHash } = await ctx.db.user.findUniqueOrThrow({
        where: { id: ctx.user.id },
        select: { passwordHash: true },
      });
      if (!(await verifyPassword(passwordHash, input.currentPassword))) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "The current password is incorrect." });
      }
      const newHash = await hashPassword(input.newPassword);
      const { token, session } = await ctx.db.$transaction(async (tx) => {
        await tx.user.update({ where: { id: ctx.user.id }, data: { passwordHash: newHash } });
        // Every session, the current one included: its token may be what leaked.
        await invalidateUserSessions(tx, ctx.user.id);
        return createSession(
          tx,
          { userId: ctx.user.id, kind: ctx.session.kind, metadata: ctx.metadata },
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
});
