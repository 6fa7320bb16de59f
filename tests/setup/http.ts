// Test setup for HTTP tests: the real server on an ephemeral port (over HTTP, or HTTPS with a
// self-signed certificate), a tiny cookie-aware client and a bearer client (Authorization header,
// no cookies) for session tokens and access tokens.
import { request } from "node:https";
import { connect, createServer, type AddressInfo } from "node:net";
import type { DevCertificate } from "../../scripts/lib/dev-certificate.ts";
import { afterAll, beforeAll } from "vitest";
import { createHttpServer, createHttpsServer, type HttpServerDeps } from "../../apps/server/src/http-server.ts";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

type FetchFunction = (url: string, init?: RequestInit) => Promise<Response>;

/** The real server on `port` (0: any free one); over HTTPS when given a certificate. */
export async function startTestServer(
  deps: HttpServerDeps,
  options: { tls?: DevCertificate; port?: number } = {},
): Promise<TestServer> {
  const server = options.tls ? createHttpsServer(deps, options.tls) : createHttpServer(deps);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The real server for a whole test file: started before its tests, closed with its database after. */
export function useTestServer(deps: HttpServerDeps): { readonly url: string } {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(deps);
  });
  afterAll(async () => {
    await server?.close();
    await deps.db.$disconnect();
  });
  return {
    get url() {
      if (!server) throw new Error("the test server has not started");
      return server.url;
    },
  };
}

/** A port that was free a moment ago: for a server whose configuration must name its own origin. */
export async function getFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * fetch over real TLS that trusts only `ca` (the test's self-signed certificate), answering with a
 * standard Response. Node's own fetch cannot be given a CA without the undici package.
 */
export function createTlsFetch(ca: string): FetchFunction {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
        throw new Error("createTlsFetch sends string bodies only");
      }
      const headers = Object.fromEntries(new Headers(init.headers));
      const outgoing = request(url, { method: init.method ?? "GET", headers, ca }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () => {
          const responseHeaders = new Headers();
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          const body = chunks.length > 0 ? Buffer.concat(chunks) : null;
          resolve(new Response(body, { status: incoming.statusCode ?? 0, headers: responseHeaders }));
        });
      });
      outgoing.on("error", reject);
      outgoing.end(init.body ?? undefined);
    });
}

/** What came back for a raw request: the status (0 if the connection closed without one) and the head. */
export interface RawHttpResponse {
  status: number;
  head: string;
}

const RAW_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends `method target` with `headers` and `body` as raw bytes on a new connection, as no HTTP
 * client would (TRACE, CONNECT, malformed percent-encoding), and reads the status line and head.
 */
export function sendRawRequest(
  url: string,
  request: { method: string; target: string; headers?: Array<[string, string]>; body?: string },
): Promise<RawHttpResponse> {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(request.body ?? "");
  const headers: Array<[string, string]> = [["Host", `${hostname}:${port}`], ["Connection", "close"], ...(request.headers ?? [])];
  if (body.length > 0) headers.push(["Content-Length", String(body.length)]);
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = "";
    socket.setTimeout(RAW_REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no answer to ${request.method} ${request.target}`)));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const responseHead = received.split("\r\n\r\n", 1)[0]!;
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(responseHead)?.[1] ?? 0), head: responseHead });
    });
    // Not end(): Node's server abandons a request whose client half-closes before the answer.
    // `Connection: close` makes the server close once it has answered.
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
  });
}

/** A response body as parsed JSON; tests assert its shape. */
export async function readJson(response: Response): Promise<any> {
  return response.json();
}

/** A browser-like client: keeps the cookies the server sets and sends them back, with an Origin. */
export function createCookieClient(baseUrl: string, options: { origin?: string; fetch?: FetchFunction } = {}) {
  const send = options.fetch ?? fetch;
  const jar = new Map<string, string>();
  return {
    jar,
    ...trpcRequests(async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (options.origin && !headers.has("origin")) headers.set("origin", options.origin);
      if (jar.size > 0 && !headers.has("cookie")) {
        headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
      }
      const response = await send(`${baseUrl}${path}`, { ...init, headers });
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
