// Sign-up, sign-in, sign-out, the current user and access tokens. Every sign-in creates a new
// session (fixation). `transport: "token"` is the variant for native apps and CLIs (docs/tokens.md).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createAccessToken } from "../auth/access-token.ts";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from "../auth/password.ts";
import { createSession, invalidateSession, invalidateUserSession } from "../auth/session.ts";
import type { Context } from "../context.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { protectedProcedure, publicProcedure, router, sessionProcedure } from "../trpc.ts";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.").max(254));
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

/** How the new session's token reaches the client: a cookie (browsers) or the response body. */
const transportSchema = z.enum(["cookie", "token"]).default("cookie");
type Transport = z.infer<typeof transportSchema>;

const USER_SELECT = { id: true, email: true, name: true } as const;
const INVALID_CREDENTIALS = "Invalid email or password.";

/**
 * Starts a session and returns its token when it travels in the body (null for a cookie).
 * Cookie: ends the cookie session the request came with (fixation), then sets the new cookie.
 * Token: a `bearer` session whose token is returned once; no cookie is set and a browser session
 * the request may carry is left alone (the token is not ambient, so it cannot be fixed on anyone).
 */
async function startSession(ctx: Context, userId: string, transport: Transport): Promise<string | null> {
  if (transport === "cookie" && ctx.auth?.method === "cookie") await invalidateSession(ctx.db, ctx.auth.session.id);
  const { token, session } = await createSession(
    ctx.db,
    { userId, kind: transport === "cookie" ? "cookie" : "bearer", metadata: ctx.metadata },
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
        transport: transportSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      try {
        const user = await ctx.db.user.create({
          data: { id: crypto.randomUUID(), email: input.email, name: input.name, passwordHash },
          select: USER_SELECT,
        });
        return { user, token: await startSession(ctx, user.id, input.transport) };
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new TRPCError({ code: "CONFLICT", message: "An account with this email already exists." });
        }
        throw error;
      }
    }),

  signIn: publicProcedure
    .input(z.object({ email: emailSchema, password: z.string().max(PASSWORD_MAX_LENGTH), transport: transportSchema }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db.user.findUnique({
        where: { email: input.email },
        select: { ...USER_SELECT, passwordHash: true },
      });
      // Unknown email and wrong password take the same path and give the same answer.
      const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !valid) throw new TRPCError({ code: "UNAUTHORIZED", message: INVALID_CREDENTIALS });
      const token = await startSession(ctx, user.id, input.transport);
      const { passwordHash: _passwordHash, ...publicUser } = user;
      return { user: publicUser, token };
    }),

  // With an access token this ends the session it was issued from.
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth) await invalidateUserSession(ctx.db, ctx.auth.user.id, ctx.auth.session.id);
    if (ctx.credential?.type === "cookie") ctx.cookies.clear();
    return { signedOut: true };
  }),

  // Under an access token: what the token says, without a query (its session is only an id).
  me: protectedProcedure.query(({ ctx: { auth } }) =>
    auth.method === "jwt"
      ? { method: auth.method, user: auth.user, session: { id: auth.session.id } }
      : {
          method: auth.method,
          user: auth.user,
          session: { id: auth.session.id, kind: auth.session.kind, expiresAt: auth.session.expiresAt },
        },
  ),

  /** A short-lived JWT for this session (DESIGN §4); refresh it with the session token, not with itself. */
  issueAccessToken: sessionProcedure.mutation(({ ctx }) => {
    if (ctx.auth.method === "jwt") {
      throw new TRPCError({ code: "FORBIDDEN", message: "Access tokens are issued for a session token or cookie, not another access token." });
    }
    return createAccessToken(
      ctx.config.accessToken,
      { userId: ctx.user.id, sessionId: ctx.session.id, email: ctx.user.email, name: ctx.user.name },
      ctx.clock(),
    );
  }),
});
