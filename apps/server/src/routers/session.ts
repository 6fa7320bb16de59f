// The signed-in user's sessions: list them (current marked) and revoke any or all others.
// Revoking every other session at once is a sudo-mode operation (a recent password check).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { invalidateUserSession, invalidateUserSessions, listUserSessions } from "../auth/session.ts";
import { protectedProcedure, router, sessionProcedure, sudoProcedure } from "../trpc.ts";

export const sessionRouter = router({
  list: protectedProcedure.query(async ({ ctx }) => {
    const sessions = await listUserSessions(ctx.db, ctx.user.id);
    return sessions.map((session) => ({ ...session, current: session.id === ctx.session.id }));
  }),

  // Revoking needs a live session: a revoked session's access token cannot revoke anything.
  revoke: sessionProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    // Someone else's session id answers like a missing one.
    if (!(await invalidateUserSession(ctx.db, ctx.user.id, input.id))) {
      throw new TRPCError({ code: "NOT_FOUND", message: "No such session." });
    }
    if (input.id === ctx.session.id && ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { revoked: input.id };
  }),

  revokeOthers: sudoProcedure.mutation(async ({ ctx }) => {
    const count = await invalidateUserSessions(ctx.db, ctx.user.id, { exceptSessionId: ctx.session.id });
    return { revoked: count };
  }),
});
