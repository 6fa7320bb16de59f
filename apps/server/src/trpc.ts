// tRPC builders. Procedures import these, never the raw `t`.
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
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

const requireSession = t.middleware(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.user } });
});

/** A procedure that runs only with a valid session; `ctx.session` and `ctx.user` are non-null. */
export const protectedProcedure = t.procedure.use(requireSession);
