// The CLI's tRPC clients, typed by the server's AppRouter. The session client sends the bearer
// session token and is used only to sign in, issue access tokens and sign out; the API client
// sends short-lived access tokens for everything else and refreshes them through accessTokenLink.
import type { AppRouter } from "@latchkey/server";
import { createTRPCClient, httpLink } from "@trpc/client";
import { ACCESS_TOKEN_CONTEXT_KEY, accessTokenLink, isUnauthorized, type AccessTokenSource } from "./access-token-link.ts";
import { writeCredentials, type Credentials } from "./credentials-file.ts";

export type Fetch = typeof fetch;

const USER_AGENT = `latchkey-cli (Node ${process.versions.node}; ${process.platform})`;
const REQUEST_TIMEOUT_MS = 10_000;
// Refresh this long before expiry, so a token does not run out in flight or on a server whose clock is ahead.
const REFRESH_MARGIN_MS = 30_000;

/** The session token no longer works: signed out, revoked from another device, or expired. */
export class SessionEndedError extends Error {
  constructor() {
    super("Your session has ended (signed out, revoked from another device, or expired).");
  }
}

function getTrpcUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/+$/, "")}/trpc`;
}

function withTimeout(fetchImpl: Fetch): Fetch {
  return (input, init) => fetchImpl(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

export function createSessionClient(serverUrl: string, sessionToken: string | null, fetchImpl: Fetch) {
  const authorization = sessionToken ? { authorization: `Bearer ${sessionToken}` } : {};
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: getTrpcUrl(serverUrl), fetch: withTimeout(fetchImpl), headers: { "user-agent": USER_AGENT, ...authorization } })],
  });
}

export function createApiClient(credentials: Credentials, options: { file: string; fetch: Fetch; now: () => Date }) {
  const sessionClient = createSessionClient(credentials.serverUrl, credentials.sessionToken, options.fetch);
  const source = createAccessTokenSource(credentials, {
    issue: () => sessionClient.auth.issueAccessToken.mutate(),
    // Cached in the credentials file, so consecutive commands reuse a token until it expires.
    save: (accessToken) => writeCredentials(options.file, { ...credentials, accessToken }),
    now: options.now,
  });
  return createTRPCClient<AppRouter>({
    links: [
      accessTokenLink(source),
      httpLink({
        url: getTrpcUrl(credentials.serverUrl),
        fetch: withTimeout(options.fetch),
        headers: ({ op }) => ({ "user-agent": USER_AGENT, authorization: `Bearer ${String(op.context[ACCESS_TOKEN_CONTEXT_KEY])}` }),
      }),
    ],
  });
}

function createAccessTokenSource(
  credentials: Credentials,
  deps: {
    issue: () => Promise<{ accessToken: string; expiresAt: string }>;
    save: (accessToken: NonNullable<Credentials["accessToken"]>) => Promise<void>;
    now: () => Date;
  },
): AccessTokenSource {
  let current = credentials.accessToken;
  // Calls made together share one refresh.
  let pending: Promise<string> | null = null;

  async function refresh(): Promise<string> {
    let issued: { accessToken: string; expiresAt: string };
    try {
      issued = await deps.issue();
    } catch (error) {
      throw isUnauthorized(error) ? new SessionEndedError() : error;
    }
    current = { token: issued.accessToken, expiresAt: issued.expiresAt };
    await deps.save(current);
    return current.token;
  }

  return {
    get({ refresh: force }) {
      const fresh = current && Date.parse(current.expiresAt) - REFRESH_MARGIN_MS > deps.now().getTime();
      if (!force && current && fresh) return Promise.resolve(current.token);
      pending ??= refresh().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
