// The app's API clients: one tRPC client, one QueryClient, and the React context through which
// pages get typed query and mutation options (`useTRPC()`). App creates them once.
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext, createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@latchkey/server";
import { isRetryable, isUnauthorized } from "./api-error.ts";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

const MAX_QUERY_RETRIES = 2;
// The server's default TRPC_MAX_BATCH_SIZE; lower it here too if the server's is set lower.
const MAX_BATCH_ITEMS = 10;

export function createApiClients(options: { onSessionEnded: () => void }) {
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      // Not the streaming link: a streamed response has sent its headers before the procedure
      // runs, so sign-in, sign-out and password changes could not set the session cookie.
      // maxItems: the server refuses batches over TRPC_MAX_BATCH_SIZE (default 10) with 400.
      httpBatchLink({ url: "/trpc", maxItems: MAX_BATCH_ITEMS, fetch: (url, init) => fetch(url, { ...init, credentials: "same-origin" }) }),
    ],
  });

  // An UNAUTHORIZED answer while auth.me holds a user means the session ended under us (expired,
  // revoked elsewhere, password changed elsewhere): drop every cached answer of that user, once.
  const endSessionOnUnauthorized = (error: unknown) => {
    if (!isUnauthorized(error) || !queryClient.getQueryData(trpc.auth.me.queryKey())) return;
    queryClient.clear();
    options.onSessionEnded();
  };

  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError: endSessionOnUnauthorized }),
    mutationCache: new MutationCache({ onError: endSessionOnUnauthorized }),
    defaultOptions: {
      queries: { retry: (failureCount, error) => isRetryable(error) && failureCount < MAX_QUERY_RETRIES },
    },
  });
  const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

  return { trpcClient, queryClient };
}
