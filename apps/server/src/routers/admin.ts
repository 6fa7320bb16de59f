// Administration: an admin looks up any user's sessions and ends them (a stolen device, a
// departing employee). adminProcedure re-reads the caller's role on every call.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getSecondFactorStatus } from "../auth/second-factor.ts";
import { invalidateUserSession, invalidateUserSessions, listUserSessions } from "../auth/session.ts";
import { adminProcedure, adminSudoProcedure, router } from "../trpc.ts";
import { emailSchema } from "./auth.ts";

const userId = z.string().min(1).max(64);
const userLookup = z.union([z.object({ userId }), z.object({ email: emailSchema })]);
const ACCOUNT_SELECT = { id: true, email: true, name: true, role: true, createdAt: true } as const;

const noSuchUser = () => new TRPCError({ code: "NOT_FOUND", message: "No such user." });

export const adminRouter = router({
  /** A user (by id or email) and their sessions, most recently active first. */
  listUserSessions: adminProcedure.input(userLookup).query(async ({ ctx, input }) => {
    const user = await ctx.db.user.findUnique({
      where: "userId" in input ? { id: input.userId } : { email: input.email },
      select: ACCOUNT_SELECT,
    });
    if (!user) throw noSuchUser();
    const [sessions, mfa] = await Promise.all([listUserSessions(ctx.db, user.id), getSecondFactorStatus(ctx.db, user.id)]);
    return { user, mfa, sessions: sessions.map((session) => ({ ...session, current: session.id === ctx.session.id })) };
  }),
  /** Ends one session of the user, or all of them; their tokens fail on the next request. */
  revokeUserSessions: adminSudoProcedure
    .input(z.object({ userId, sessionId: z.string().min(1).max(64).optional() }))
    .mutation(async ({ ctx, input }) => {
      let revoked: number;
      if (input.sessionId) {
        if (!(await invalidateUserSession(ctx.db, input.userId, input.sessionId))) {
          throw new TRPCError({ code: "NOT_FOUND", message: "No such session." });
        }
        revoked = 1;
      } else {
        revoked = await invalidateUserSessions(ctx.db, input.userId);
      }
      const endedOwnSession = input.userId === ctx.user.id && (!input.sessionId || input.sessionId === ctx.session.id);
      if (endedOwnSession && ctx.credential?.type === "cookie") ctx.cookies.clear();
      return { revoked };
    }),
  /**
   * For a locked-out user: removes their TOTP key, recovery codes and passkeys, and ends every
   * session of theirs (whoever holds one may be the reason for the reset). Admin sudo mode.
   */
  resetUserMfa: adminSudoProcedure.input(z.object({ userId })).mutation(async ({ ctx, input }) => {
    const revoked = await ctx.db.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } });
      if (!user) return null;
      await tx.totpKey.deleteMany({ where: { userId: user.id } });
      await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
      await tx.passkey.deleteMany({ where: { userId: user.id } });
      return invalidateUserSessions(tx, user.id);
    });
    if (revoked === null) throw noSuchUser();
    if (input.userId === ctx.user.id && ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { revoked };
  }),
});
