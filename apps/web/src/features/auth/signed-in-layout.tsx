// The guard and frame of every signed-in page: asks the server who is signed in (auth.me) and
// sends visitors without a session to sign in, remembering the page they asked for.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { AppShell } from "../../components/app-shell.tsx";
import { LoadError, LoadingMessage } from "../../components/message.tsx";
import { getErrorMessage, isUnauthorized } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { buildSignInPath } from "./next-path.ts";

export function SignedInLayout() {
  const trpc = useTRPC();
  const location = useLocation();
  const me = useQuery(trpc.auth.me.queryOptions());
  // Only to decide whether to offer the admin page; the server enforces the role itself.
  const account = useQuery({ ...trpc.account.get.queryOptions(), enabled: Boolean(me.data) });

  // Data first: if a later refetch finds the session gone, the app-wide handler in lib/trpc.ts
  // clears the cache and redirects with reason=expired.
  if (me.data) {
    return (
      <AppShell userName={me.data.user.name} isAdmin={account.data?.role === "admin"} actions={<SignOutButton />}>
        <Outlet />
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

function SignOutButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: async () => {
        await navigate("/sign-in", { replace: true });
        // Nothing of this user's stays in memory for whoever uses the browser next.
        queryClient.clear();
      },
    }),
  );
  return (
    <>
      <button type="button" className="button-secondary" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
        {signOut.isPending ? "Signing out…" : "Sign out"}
      </button>
      {signOut.isError && (
        <span role="alert" className="field-error">
          {getErrorMessage(signOut.error)}
        </span>
      )}
    </>
  );
}
