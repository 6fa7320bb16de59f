// Signing out: ends the session on the server, goes to the sign-in page and forgets every cached
// answer. In the app's header, and on the verify page an unverified user is held on.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getErrorMessage } from "../lib/api-error.ts";
import { useNavigate } from "../lib/router.tsx";
import { useTRPC } from "../lib/trpc.ts";

export function SignOutButton({ className = "button-secondary" }: { className?: string }) {
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
      <button type="button" className={className} disabled={signOut.isPending} onClick={() => signOut.mutate()}>
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
