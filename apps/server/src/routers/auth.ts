// Sign-up, sign-in, sign-out and the current user. Every sign-in creates a new session (fixation).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from "../auth/password.ts";
import { createSession, invalidateSession } from "../auth/session.ts";
import type { Context } from "../context.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.ts";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.").max(254));
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

const USER_SELECT = { id: true, email: true, name: true } as const;
const INVALID_CREDENTIALS = "Invalid email or password.";

/** Starts a browser session: ends the one the request came with, then sets the new cookie. */
async function startCookieSession(ctx: Context, userId: string) {
  if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
  const { token, session } = await createSession(
    ctx.db,
    { userId, kind: "cookie", metadata: ctx.metadata },
    ctx.config.session,
    ctx.clock(),
  );
  ctx.cookies.set(token, session.expiresAt);
  return session;
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
      const passwordHash = await hashPassword(input.password);
      try {
        const user = await ctx.db.user.create({
          data: { id: crypto.randomUUID(), email: input.email, name: input.name, passwordHash },
          select: USER_SELECT,
        });
        await startCookieSession(ctx, user.id);
        return { user };
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new TRPCError({ code: "CONFLICT", message: "An account with this email already exists." });
        }
        throw error;
      }
    }),

  signIn: publicProcedure
    .input(z.object({ email: emailSchema, password: z.string().max(PASSWORD_MAX_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db.user.findUnique({
        where: { email: input.email },
        select: { ...USER_SELECT, passwordHash: true },
      });
      // Unknown email and wrong password take the same path and give the same answer.
      const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !valid) throw new TRPCError({ code: "UNAUTHORIZED", message: INVALID_CREDENTIALS });
      await startCookieSession(ctx, user.id);
      const { passwordHash: _passwordHash, ...publicUser } = user;
      return { user: publicUser };
    }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
    if (ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { signedOut: true };
  }),

  me: protectedProcedure.query(({ ctx }) => ({
    user: ctx.user,
    session: { id: ctx.session.id, kind: ctx.session.kind, expiresAt: ctx.session.expiresAt },
  })),
});
