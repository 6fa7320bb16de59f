// A tRPC link that authenticates every call with a short-lived access token (JWT): it asks the
// source for a token, and when the server answers UNAUTHORIZED (the token expired or its key was
// rotated) it asks for a fresh one and retries the call once.
import { TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";

export interface AccessTokenSource {
  /** A token to send: the cached one unless `refresh` is set or it is about to expire. */
  get(options: { refresh: boolean }): Promise<string>;
}

/** The operation context key the terminating link reads the token from. */
export const ACCESS_TOKEN_CONTEXT_KEY = "accessToken";

/** True for an UNAUTHORIZED answer from the server (not for a network failure). */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
}

export function accessTokenLink<TRouter extends AnyRouter>(source: AccessTokenSource): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | null = null;
        let closed = false;

        const attempt = (isRetry: boolean) => {
          source.get({ refresh: isRetry }).then(
            (accessToken) => {
              if (closed) return;
              subscription = next({ ...op, context: { ...op.context, [ACCESS_TOKEN_CONTEXT_KEY]: accessToken } }).subscribe({
                next: (result) => observer.next(result),
                // UNAUTHORIZED is decided before the procedure runs, so retrying a mutation is safe.
                error: (error) => (!isRetry && isUnauthorized(error) ? attempt(true) : observer.error(error)),
                complete: () => observer.complete(),
              });
            },
            (error: unknown) => observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error)))),
          );
        };

        attempt(false);
        return () => {
          closed = true;
          subscription?.unsubscribe();
        };
      });
}
