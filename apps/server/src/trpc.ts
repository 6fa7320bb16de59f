// tRPC builders. Procedures import these, never the raw `t`.
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { validateSessionReference } from "./auth/session.ts";
import type { Context } from "./context.ts";

const t = initTRPC.context<Context>().create({
  // Never send stack traces to clients, whatever NODE_ENV says; the server logs internal errors.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field errors for forms: { formErrors: string[], fieldErrors: { email?: string[], ... } }.
        zodError: error.code === "BAD_REQUEST" && cause instanceof z.ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

const requireAuthentication = t.middleware(({ ctx, next }) => {
  if (!ctx.auth) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  return next({ ctx: { ...ctx, auth: ctx.auth, session: ctx.auth.session, user: ctx.auth.user } });
});

/**
 * A procedure that runs only for a signed-in user: `ctx.user` and `ctx.session` are non-null and
 * `ctx.auth.method` says how. With an access token (jwt) nothing was read from the database, so the
 * session may have been revoked up to one token lifetime ago; `ctx.session` is then only its id.
 */
export const protectedProcedure = t.procedure.use(requireAuthentication);

/**
 * For sensitive operations (password, sessions, issuing tokens): the session row is always live.
 * Cookie and bearer requests were checked on this request; an access token's session is looked up
 * (one SELECT), so a revoked session is refused at once. `ctx.session` is the full row.
 */
export const sessionProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (ctx.auth.method !== "jwt") return next({ ctx: { ...ctx, session: ctx.auth.session } });
  const { session, user } = await validateSessionReference(
    ctx.db,
    { sessionId: ctx.auth.session.id, userId: ctx.auth.user.id },
    ctx.config.session,
    ctx.clock(),
  );
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "This session has ended. Sign in again." });
  return next({ ctx: { ...ctx, session, user } });
});
