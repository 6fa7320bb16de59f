// The API: one router per feature. Register new feature routers here.
import { router } from "../trpc.ts";
import { accountRouter } from "./account.ts";
import { adminRouter } from "./admin.ts";
import { authRouter } from "./auth.ts";
import { mfaRouter } from "./mfa.ts";
import { noteRouter } from "./note.ts";
import { oauthRouter } from "./oauth.ts";
import { passkeyRouter } from "./passkey.ts";
import { passwordResetRouter } from "./password-reset.ts";
import { sessionRouter } from "./session.ts";
import { verificationRouter } from "./verification.ts";

export const appRouter = router({
  auth: authRouter,
  verification: verificationRouter,
  passwordReset: passwordResetRouter,
  session: sessionRouter,
  account: accountRouter,
  note: noteRouter,
  admin: adminRouter,
  mfa: mfaRouter,
  passkey: passkeyRouter,
  oauth: oauthRouter,
});

export type AppRouter = typeof appRouter;
