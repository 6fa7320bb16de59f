// Sign-in providers: which are configured (the sign-in page's buttons), which the user has linked,
// and unlinking. Linking itself is a browser redirect (oauth-routes.ts); `authorizeLink` lets the
// app ask for sudo mode in place before it navigates there. docs/decisions/016-oauth-sign-in.md
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hasPassword, listOAuthAccounts, unlinkOAuthAccount } from "../auth/oauth-account.ts";
import { getOAuthProviders } from "../auth/oauth-provider.ts";
import { protectedProcedure, publicProcedure, router, sudoProcedure } from "../trpc.ts";

const providerInput = z.object({ provider: z.string().min(1).max(32) });

export const oauthRouter = router({
  /** The configured providers, in button order; none when no provider is configured. */
  providers: publicProcedure.query(({ ctx }) =>
    [...getOAuthProviders(ctx.config.oauth, ctx.config.appOrigin).values()].map(({ id, name }) => ({ id, name })),
  ),

  /** How the signed-in user can sign in: a password, and the providers they linked. */
  methods: protectedProcedure.query(async ({ ctx }) => ({
    hasPassword: await hasPassword(ctx.db, ctx.user.id),
    linked: (await listOAuthAccounts(ctx.db, ctx.user.id)).map((account) => ({ provider: account.provider, linkedAt: account.createdAt })),
  })),

  /**
   * Passes only in sudo mode, so the app can ask for it in place before starting a link; the link
   * route checks the same window again at its start and at its callback.
   */
  authorizeLink: sudoProcedure.mutation(() => ({ authorized: true })),

  /** Removes a provider link, unless it is the user's last way to sign in. */
  unlink: sudoProcedure.input(providerInput).mutation(async ({ ctx, input }) => {
    const result = await unlinkOAuthAccount(ctx.db, { userId: ctx.user.id, provider: input.provider });
    if (result === "not_linked") throw new TRPCError({ code: "NOT_FOUND", message: "This provider is not linked to your account." });
    if (result === "last_sign_in_method") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This is your only way to sign in. Link another provider or set a password first.",
      });
    }
    return { unlinked: true };
  }),
});
