// Passkeys: register several, name, rename and delete them; sign in with one (no password, also
// through autofill); prove one as the second factor or for sudo mode. auth/passkey.ts does WebAuthn.
import { TRPCError } from "@trpc/server";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import {
  createAuthenticationOptions,
  createRegistrationOptions,
  getPasskeyOwner,
  PASSKEY_SELECT,
  registerPasskey,
  verifyPasskeyAuthentication,
  type RelyingParty,
} from "../auth/passkey.ts";
import { countRecoveryCodes, replaceRecoveryCodes } from "../auth/recovery-code.ts";
import { SESSION_USER_SELECT, toSessionUser } from "../auth/session.ts";
import type { Config } from "../env.ts";
import {
  createTooManyRequestsError,
  publicProcedure,
  publicSecretProcedure,
  router,
  secondFactorProcedure,
  secondFactorSecretProcedure,
  sessionProcedure,
  sudoProcedure,
} from "../trpc.ts";
import { startSession, transportSchema } from "./auth.ts";
import { completeFactor } from "./mfa.ts";

const base64url = z.string().max(16_384).regex(/^[\w-]*$/, "must be base64url");
const credentialFields = {
  id: base64url.min(1).max(1_024),
  rawId: base64url.max(1_024),
  type: z.literal("public-key"),
  // Whatever the browser reports; no extension is requested, so none is relied upon.
  clientExtensionResults: z.custom<object>((value) => typeof value === "object" && value !== null && !Array.isArray(value)),
};
// Only the shape is checked here (unknown keys are dropped); @simplewebauthn/server verifies the content.
const registrationResponse = z.object({
  ...credentialFields,
  response: z.object({ clientDataJSON: base64url, attestationObject: base64url, transports: z.array(z.string().max(32)).max(8).optional() }),
});
const authenticationResponse = z.object({
  ...credentialFields,
  response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }),
});
const passkeyName = z.string().trim().min(1, "Name the passkey.").max(64);
const passkeyId = z.string().min(1).max(1_024);

const INVALID_PASSKEY = "The passkey could not be verified. Try again.";

const relyingParty = (config: Config): RelyingParty => ({ ...config.webAuthn, rpName: config.appName });

export const passkeyRouter = router({
  list: sessionProcedure.query(({ ctx }) =>
    ctx.db.passkey.findMany({ where: { userId: ctx.user.id }, select: PASSKEY_SELECT, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  ),

  /** Options for navigator.credentials.create (sudo mode); the challenge is bound to this session. */
  registrationOptions: sudoProcedure.mutation(({ ctx }) =>
    createRegistrationOptions(ctx.db, relyingParty(ctx.config), { user: ctx.user, sessionId: ctx.session.id }, ctx.clock()),
  ),

  /**
   * Stores a new passkey answering this session's registration challenge. The first second factor
   * of an account also gets its recovery codes, returned once.
   */
  register: sessionProcedure
    .input(z.object({ name: passkeyName, response: registrationResponse }))
    .mutation(async ({ ctx, input }) => {
      const result = await registerPasskey(
        ctx.db,
        relyingParty(ctx.config),
        { userId: ctx.user.id, sessionId: ctx.session.id, name: input.name, response: input.response as RegistrationResponseJSON },
        ctx.clock(),
      );
      if (result.status === "duplicate") throw new TRPCError({ code: "CONFLICT", message: "This passkey is already registered." });
      if (result.status !== "registered") throw new TRPCError({ code: "BAD_REQUEST", message: INVALID_PASSKEY });
      const recoveryCodes = (await countRecoveryCodes(ctx.db, ctx.user.id)) === 0 ? await replaceRecoveryCodes(ctx.db, ctx.user.id) : null;
      return { passkey: result.passkey, recoveryCodes };
    }),

  rename: sessionProcedure.input(z.object({ id: passkeyId, name: passkeyName })).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.passkey.updateMany({ where: { id: input.id, userId: ctx.user.id }, data: { name: input.name } });
    if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "No such passkey." });
    return { renamed: true };
  }),

  /** Removes a passkey (sudo mode: it may be the last way in besides the password). */
  delete: sudoProcedure.input(z.object({ id: passkeyId })).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.passkey.deleteMany({ where: { id: input.id, userId: ctx.user.id } });
    if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "No such passkey." });
    return { deleted: true };
  }),

  /** Options for a passwordless sign-in (any passkey of this site; also for conditional UI). */
  signInOptions: publicProcedure.mutation(({ ctx }) =>
    createAuthenticationOptions(ctx.db, relyingParty(ctx.config), { session: null }, ctx.clock()),
  ),

  /**
   * Signs in with a passkey: user verification makes it both factors, so the new session is full
   * (no second-factor step). Counted first per account like every second-factor check.
   */
  signIn: publicSecretProcedure
    .input(z.object({ response: authenticationResponse, transport: transportSchema }))
    .mutation(async ({ ctx, input }) => {
      const response = input.response as AuthenticationResponseJSON;
      const owner = await getPasskeyOwner(ctx.db, response.id, null);
      if (!owner) throw new TRPCError({ code: "UNAUTHORIZED", message: INVALID_PASSKEY });
      const attempt = await ctx.rateLimiter.consumeSecondFactorAttempt(owner);
      if (attempt.limited) throw createTooManyRequestsError(attempt.retryAfterSeconds);
      const now = ctx.clock();
      const result = await verifyPasskeyAuthentication(ctx.db, relyingParty(ctx.config), { response, sessionId: null, userId: owner }, now);
      if (result.status === "invalid") throw new TRPCError({ code: "UNAUTHORIZED", message: INVALID_PASSKEY });
      await attempt.succeed();
      const user = toSessionUser(await ctx.db.user.findUniqueOrThrow({ where: { id: result.userId }, select: SESSION_USER_SELECT }));
      const token = await startSession(ctx, user.id, input.transport, {
        assurance: { factors: ["passkey"], secondFactorAt: now, secondFactorPending: false },
      });
      return { user, token };
    }),

  /** Options to prove one of this user's passkeys on this session (second factor or sudo mode). */
  authenticationOptions: secondFactorProcedure.mutation(({ ctx }) =>
    createAuthenticationOptions(ctx.db, relyingParty(ctx.config), { session: ctx.session }, ctx.clock()),
  ),

  /** Proves a passkey on this session: completes a two-step sign-in or enters sudo mode (new token). */
  verify: secondFactorSecretProcedure.input(z.object({ response: authenticationResponse })).mutation(async ({ ctx, input }) => {
    const attempt = await ctx.rateLimiter.consumeSecondFactorAttempt(ctx.user.id);
    if (attempt.limited) throw createTooManyRequestsError(attempt.retryAfterSeconds);
    const result = await verifyPasskeyAuthentication(
      ctx.db,
      relyingParty(ctx.config),
      { response: input.response as AuthenticationResponseJSON, sessionId: ctx.session.id, userId: ctx.user.id },
      ctx.clock(),
    );
    if (result.status === "invalid") throw new TRPCError({ code: "BAD_REQUEST", message: INVALID_PASSKEY });
    await attempt.succeed();
    return { ...(await completeFactor(ctx, "passkey")), user: ctx.user };
  }),
});
