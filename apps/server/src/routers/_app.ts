// The API: one router per feature. Register new feature routers here.
import { router } from "../trpc.ts";
import { accountRouter } from "./account.ts";
import { adminRouter } from "./admin.ts";
import { authRouter } from "./auth.ts";
import { mfaRouter } from "./mfa.ts";
import { noteRouter } from "./note.ts";
import { passkeyRouter } from "./passkey.ts";
import { sessionRouter } from "./session.ts";

export const appRouter = router({
  auth: authRouter,
  session: sessionRouter,
  account: accountRouter,
  note: noteRouter,
  admin: adminRouter,
  mfa: mfaRouter,
  passkey: passkeyRouter,
});

export type AppRouter = typeof appRouter;
