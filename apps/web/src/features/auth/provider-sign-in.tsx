// "Sign in with …" for each configured provider; nothing while none is configured (or the list
// cannot be loaded: the password form still works).
import { useQuery } from "@tanstack/react-query";
import { getOAuthStartUrl } from "../../lib/oauth.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function ProviderSignIn({ next }: { next: string | null }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.oauth.providers.queryOptions());
  if (!providers.data?.length) return null;
  return (
    <nav className="providers" aria-label="Sign in with a provider">
      <p className="muted small">or</p>
      {providers.data.map((provider) => (
        <a key={provider.id} className="button button-secondary" href={getOAuthStartUrl(provider.id, "sign-in", next)}>
          Sign in with {provider.name}
        </a>
      ))}
    </nav>
  );
}
