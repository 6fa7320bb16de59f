// The guard and frame of every signed-in page: asks the server who is signed in (auth.me) and
// sends visitors without a session to sign in, remembering the page they asked for. An unverified
// user sees only the verify page when EMAIL_VERIFICATION=required, and a banner when it is optional.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { AppShell } from "../../components/app-shell.tsx";
import { LoadError, LoadingMessage } from "../../components/message.tsx";
import { SignOutButton } from "../../components/sign-out-button.tsx";
import { isUnauthorized } from "../../lib/api-error.ts";
import { Link, Navigate, useLocation } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { buildSignInPath } from "./next-path.ts";

export function SignedInLayout({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const location = useLocation();
  const me = useQuery(trpc.auth.me.queryOptions());
  // Only to decide whether to offer the admin page; the server enforces the role itself.
  const account = useQuery({ ...trpc.account.get.queryOptions(), enabled: Boolean(me.data) });

  // Data first: if a later refetch finds the session gone, the app-wide handler in lib/trpc.ts
  // clears the cache and redirects with reason=expired.
  if (me.data) {
    const unverified = !me.data.user.emailVerified;
    if (unverified && me.data.emailVerification === "required") return <Navigate to="/verify-email" replace />;
    const banner =
      unverified && me.data.emailVerification === "optional" ? (
        <p role="status" className="banner">
          Your email address is not verified yet. <Link to="/verify-email">Verify it</Link>
        </p>
      ) : null;
    return (
      <AppShell userName={me.data.user.name} isAdmin={account.data?.role === "admin"} actions={<SignOutButton />} banner={banner}>
        {children}
      </AppShell>
    );
  }
  // null: nobody is signed in; UNAUTHORIZED: a cookie that no longer opens a session.
  if (me.data === null || (me.isError && isUnauthorized(me.error))) {
    return <Navigate to={buildSignInPath({ next: `${location.pathname}${location.search}` })} replace />;
  }
  return (
    <main className="auth">
      {me.isError ? <LoadError error={me.error} onRetry={() => void me.refetch()} /> : <LoadingMessage />}
    </main>
  );
}
