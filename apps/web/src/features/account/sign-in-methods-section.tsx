// How the user signs in: their password and each configured provider, linked or not. Linking and
// unlinking need sudo mode (asked for in place); the server refuses to unlink the last way in.
// Linking leaves the page for the provider and comes back with `oauth_linked` or `oauth_error`.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { getOAuthFailureMessage, getOAuthStartUrl } from "../../lib/oauth.ts";
import { useSearchParams } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function SignInMethodsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const providers = useQuery(trpc.oauth.providers.queryOptions());
  const methods = useQuery(trpc.oauth.methods.queryOptions());
  const reauthentication = useReauthentication();
  const authorizeLink = useMutation(trpc.oauth.authorizeLink.mutationOptions());
  const unlink = useMutation(
    trpc.oauth.unlink.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.oauth.methods.queryFilter()) }),
  );

  if (!providers.data?.length || !methods.data) return null;
  const linkedName = providers.data.find((provider) => provider.id === searchParams.get("oauth_linked"))?.name;
  const linked = new Set(methods.data.linked.map((account) => account.provider));

  function startLink(provider: string) {
    void reauthentication.run(async () => {
      await authorizeLink.mutateAsync();
      window.location.assign(getOAuthStartUrl(provider, "link"));
    });
  }

  return (
    <section className="card" aria-labelledby="sign-in-methods-heading">
      <h2 id="sign-in-methods-heading">Sign-in methods</h2>
      <p className="muted">
        {methods.data.hasPassword ? "You can sign in with your password." : "This account has no password: you sign in through a provider."}
      </p>
      {linkedName && <Notice>{linkedName} is now linked to your account.</Notice>}
      <ErrorAlert
        message={
          reauthentication.getErrorMessage(unlink.error) ??
          reauthentication.getErrorMessage(authorizeLink.error) ??
          getOAuthFailureMessage(searchParams.get("oauth_error"))
        }
      />
      <ul className="list" aria-label="Providers">
        {providers.data.map((provider) => (
          <li key={provider.id} aria-label={provider.name} className="actions">
            <span>
              {provider.name} <span className="badge">{linked.has(provider.id) ? "Linked" : "Not linked"}</span>
            </span>
            {linked.has(provider.id) ? (
              <button
                type="button"
                className="button-secondary"
                disabled={unlink.isPending || reauthentication.isPrompting}
                onClick={() => void reauthentication.run(() => unlink.mutateAsync({ provider: provider.id }))}
              >
                Unlink {provider.name}
              </button>
            ) : (
              <button type="button" className="button-secondary" disabled={reauthentication.isPrompting} onClick={() => startLink(provider.id)}>
                Link {provider.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      {reauthentication.prompt}
    </section>
  );
}
