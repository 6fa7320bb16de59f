// Test setup for HTTP tests: the real server on an ephemeral port, a tiny cookie-aware client and
// a bearer client (Authorization header, no cookies) for session tokens and access tokens.
import type { AddressInfo } from "node:net";
import { createHttpServer } from "../../apps/server/src/http-server.ts";
import type { Database } from "../../apps/server/src/db.ts";
import type { Config } from "../../apps/server/src/env.ts";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(deps: { db: Database; config: Config; clock?: () => Date }): Promise<TestServer> {
  const server = createHttpServer(deps);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A response body as parsed JSON; tests assert its shape. */
export async function readJson(response: Response): Promise<any> {
  return response.json();
}

/** A browser-like client: keeps the cookies the server sets and sends them back, with an Origin. */
export function createCookieClient(baseUrl: string, options: { origin?: string } = {}) {
  const jar = new Map<string, string>();
  return {
    jar,
    ...trpcRequests(async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (options.origin && !headers.has("origin")) headers.set("origin", options.origin);
      if (jar.size > 0 && !headers.has("cookie")) {
        headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
      }
      const response = await fetch(`${baseUrl}${path}`, { ...init, headers });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(";");
        const [name, value] = pair!.split("=") as [string, string];
        if (/Max-Age=0/.test(cookie)) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    }),
  };
}

/** A native-app-like client: `Authorization: Bearer <token>` on every request, no cookies, no Origin. */
export function createBearerClient(baseUrl: string, token: string) {
  return trpcRequests((path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(`${baseUrl}${path}`, { ...init, headers });
  });
}

function trpcRequests(send: (path: string, init?: RequestInit) => Promise<Response>) {
  return {
    fetch: send,
    /** A tRPC mutation (POST, JSON body, no batching). */
    mutate(path: string, input?: unknown, init: RequestInit = {}) {
      return this.fetch(`/trpc/${path}`, {
        method: "POST",
        body: input === undefined ? undefined : JSON.stringify(input),
        ...init,
        headers: { "content-type": "application/json", ...init.headers },
      });
    },
    /** A tRPC query (GET). */
    query(path: string, input?: unknown, init: RequestInit = {}) {
      const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      return this.fetch(`/trpc/${path}${search}`, init);
    },
  };
}
