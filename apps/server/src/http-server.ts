// The HTTP edge (DESIGN §1): request shape (request-shape.ts), security headers, CSRF check, batch
// cap and body limit in front of the tRPC handler, the access-token public keys (JWKS), the OAuth
// sign-in routes (oauth-routes.ts), and the built web app in production. Everything HTTP-specific
// about auth lives here, in context.ts and in oauth-routes.ts.
// One request handler, served over HTTP or, with TLS_CERT_FILE/TLS_KEY_FILE, over HTTPS. tRPC's
// plain JSON queries and mutations run through our lean node:http adapter (trpc-node-adapter.ts,
// docs/decisions/027-lean-trpc-adapter.md); everything else through tRPC's fetch adapter on
// @hono/node-server's request listener (docs/decisions/018-fetch-adapter-edge.md).
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import type { Duplex } from "node:stream";
import { getRequestListener, type HttpBindings } from "@hono/node-server";
import { getTRPCErrorShape, TRPCError, type AnyTRPCRouter, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getSessionCookieName } from "./auth/cookie.ts";
import { checkCsrf } from "./auth/csrf.ts";
import { createPasswordHasher, type PasswordHasher } from "./auth/password-hasher.ts";
import { createRateLimiter, type RateLimiter } from "./auth/rate-limit.ts";
import { getOAuthProviders, type OAuthProviders } from "./auth/oauth-provider.ts";
import type { SessionCache } from "./auth/session-cache.ts";
import { createJsonWebKeySet } from "./auth/signing-key.ts";
import { createContextFactory } from "./context.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseOutageError } from "./database-outage.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";
import { LINK_PATHS } from "./mail/messages.ts";
import { createHealthHandler } from "./health.ts";
import { sendWebResponse } from "./node-web-adapter.ts";
import { createOAuthRequestHandler, OAUTH_ROUTE_PREFIX } from "./oauth-routes.ts";
import { appRouter } from "./routers/_app.ts";
import { checkRequestShape, checkUnparsedRequest, type RequestShapeVerdict } from "./request-shape.ts";
import { readRequestBody } from "./request-body.ts";
import { getRetryAfterSeconds } from "./trpc.ts";
import { createTrpcNodeHandler, type BufferedRequest } from "./trpc-node-adapter.ts";
import { createStaticFileHandler } from "./static-files.ts";

const TRPC_PREFIX = "/trpc/";
const JWKS_PATH = "/.well-known/jwks.json";
// Verifiers may keep the key set this long: publish a new key at least this long before signing
// with it, and keep an old one this long after its last token expired (docs/tokens.md).
const JWKS_MAX_AGE_SECONDS = 300;
// Larger bodies are answered with 413 before tRPC parses them, whether or not they declare a length.
export const MAX_BODY_BYTES = 100 * 1024;
// ASVS 5.0 V3.4.1: at least a year, subdomains included.
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;
// A refused request's target is logged up to this length: one short line whatever was sent.
const LOGGED_URL_MAX_LENGTH = 200;
const HSTS_HEADER = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;

export const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  // Other sites cannot embed our answers as images, scripts or media (ASVS 5.0 V3.5.8).
  "Cross-Origin-Resource-Policy": "same-origin",
} as const;
const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

// The pages mailed links land on: their URL holds a token (in the fragment, which no browser sends
// on), and they send no Referer at all, to us or anyone.
const LINK_PAGES: ReadonlySet<string> = new Set([LINK_PATHS.verifyEmail, LINK_PATHS.resetPassword, LINK_PATHS.confirmEmailChange]);

function sendJsonError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "Content-Type": "application/json" }).end(JSON.stringify({ error: { message } }));
}

const REFUSAL_ERROR_CODES = {
  400: "BAD_REQUEST",
  403: "FORBIDDEN",
  405: "METHOD_NOT_SUPPORTED",
  415: "UNSUPPORTED_MEDIA_TYPE",
} as const satisfies Record<number, TRPC_ERROR_CODE_KEY>;

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * A refusal made before tRPC runs, in tRPC's wire format so that its clients show the message:
 * the error shape of our errorFormatter, and for a batch (`?batch=1`) one envelope per call.
 */
function sendTrpcError(
  res: ServerResponse,
  router: AnyTRPCRouter,
  url: string,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  headers: Record<string, string> = {},
): void {
  const error = new TRPCError({ code, message });
  const queryStart = url.indexOf("?");
  const path = decodePath(url.slice(TRPC_PREFIX.length, queryStart === -1 ? undefined : queryStart));
  const isBatch = queryStart !== -1 && new URLSearchParams(url.slice(queryStart + 1)).get("batch") === "1";
  const envelopes = (isBatch ? path.split(",") : [path]).map((callPath) => ({
    error: getTRPCErrorShape({ config: router._def._config, error, type: "unknown", path: callPath, input: undefined, ctx: undefined }),
  }));
  res
    .writeHead(getHTTPStatusCodeFromError(error), { ...headers, "Content-Type": "application/json" })
    .end(JSON.stringify(isBatch ? envelopes : envelopes[0]));
}

function hasSessionCookie(req: IncomingMessage, config: Config): boolean {
  return req.headers.cookie?.includes(`${getSessionCookieName(config.secureCookies)}=`) ?? false;
}

/** The CSRF policy (auth/csrf.ts) applied to a request's headers. */
export function checkRequestCsrf(req: IncomingMessage, config: Config) {
  return checkCsrf(
    {
      method: req.method ?? "GET",
      origin: req.headers.origin,
      secFetchSite: req.headers["sec-fetch-site"] as string | undefined,
      contentType: req.headers["content-type"],
      hasSessionCookie: hasSessionCookie(req, config),
      hasAuthorization: req.headers.authorization !== undefined,
    },
    config.allowedOrigins,
  );
}

export interface HttpServerDeps {
  db: Database;
  config: Config;
  clock?: () => Date;
  /** Required for a shared store (auth/rate-limit-store.ts); the memory store is made here if omitted. */
  rateLimiter?: RateLimiter;
  /** The argon2 pool; made from config.passwordHashing if omitted (tests pass one that counts). */
  passwordHasher?: PasswordHasher;
  /** While true, /readyz answers 503 (health.ts): the instance is shutting down (shutdown.ts). */
  isDraining?: () => boolean;
  /** Validated sessions in memory, invalidated by LISTEN/NOTIFY (auth/session-cache.ts); none by default. */
  sessionCache?: SessionCache | null;
  /** The API by default; `pnpm bench` serves a public procedure built with the same builders. */
  router?: AnyTRPCRouter;
  /** The configured sign-in providers by default; tests point them at local stand-ins. */
  oauthProviders?: OAuthProviders;
  /**
   * "lean" (default): plain JSON calls through trpc-node-adapter.ts, the rest through tRPC's fetch
   * adapter; "fetch": every call through the fetch adapter (the adapter parity tests compare the two).
   */
  trpcAdapter?: "lean" | "fetch";
}

function requireRateLimiter(deps: HttpServerDeps): RateLimiter {
  if (deps.rateLimiter) return deps.rateLimiter;
  if (deps.config.rateLimit.store !== "memory") {
    throw new Error(`RATE_LIMIT_STORE=${deps.config.rateLimit.store}: connect it (connectRateLimitStore) and pass a rateLimiter`);
  }
  return createRateLimiter(deps.config.rateLimit.policy, { type: "memory" });
}

// tRPC's httpLink sends no body for a mutation called without input (e.g. session.revokeOthers),
// which its fetch adapter would fail to parse as JSON: an empty body is no input.
const EMPTY_INPUT = Buffer.from("{}");

/** A rate-limited or unavailable answer (429, 503) says when to come back, for clients that read headers only. */
function getRetryAfterHeaders(errors: TRPCError[]): Record<string, string> {
  const retryAfter = Math.max(0, ...errors.map((error) => getRetryAfterSeconds(error) ?? 0));
  return retryAfter > 0 ? { "Retry-After": String(retryAfter) } : {};
}

function logTrpcError({ error, path }: { error: TRPCError; path?: string }): void {
  if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
}

/**
 * tRPC: plain JSON calls through the lean adapter, the rest through its fetch adapter (which reads
 * the body the edge already read as hono's `rawBody`); the context reads credentials from the Node
 * request directly.
 */
function createTrpcListener(deps: HttpServerDeps, router: AnyTRPCRouter, rateLimiter: RateLimiter) {
  const createContext = createContextFactory({
    ...deps,
    rateLimiter,
    passwordHasher: deps.passwordHasher ?? createPasswordHasher(deps.config.passwordHashing),
  });
  const fetchAdapter = getRequestListener(
    (request, env) => {
      const { incoming, outgoing } = env as HttpBindings;
      return fetchRequestHandler({
        req: request,
        endpoint: TRPC_PREFIX,
        router,
        createContext: () => createContext({ req: incoming, res: outgoing }),
        // A larger batch is refused with 400 before any call runs (one request, bounded work).
        maxBatchSize: deps.config.trpcMaxBatchSize,
        responseMeta: ({ errors }) => ({ headers: getRetryAfterHeaders(errors) }),
        onError: logTrpcError,
      });
    },
    // HTTP/1.0 clients may omit Host; the URL's host is never used for routing or origins.
    { hostname: "localhost" },
  );
  if (deps.trpcAdapter === "fetch") return fetchAdapter;
  return createTrpcNodeHandler({
    router,
    endpoint: TRPC_PREFIX,
    createContext: (req, res) => createContext({ req, res }),
    maxBatchSize: deps.config.trpcMaxBatchSize,
    getErrorHeaders: getRetryAfterHeaders,
    onError: logTrpcError,
    fallback: async (req, res) => void (await fetchAdapter(req, res)),
  });
}

/** Reads the body within MAX_BODY_BYTES (413 otherwise), then hands the request to tRPC. */
async function forwardWithBody(
  req: BufferedRequest,
  res: ServerResponse,
  router: AnyTRPCRouter,
  handleTrpc: ReturnType<typeof createTrpcListener>,
): Promise<void> {
  let body: Buffer | "too-large";
  try {
    body = await readRequestBody(req, MAX_BODY_BYTES);
  } catch {
    // The client went away mid-body: nobody is left to answer.
    res.destroy();
    return;
  }
  if (body === "too-large") {
    // The rest of the body is never read: close the connection after answering.
    res.setHeader("Connection", "close");
    sendTrpcError(res, router, req.url ?? TRPC_PREFIX, "PAYLOAD_TOO_LARGE", "The request body is too large.");
    return;
  }
  req.rawBody = body.length === 0 ? EMPTY_INPUT : body;
  await handleTrpc(req, res);
}

export function createRequestHandler(deps: HttpServerDeps): RequestListener {
  const { config } = deps;
  const router = deps.router ?? appRouter;
  const rateLimiter = requireRateLimiter(deps);
  const handleTrpc = createTrpcListener(deps, router, rateLimiter);
  const oauthRoutes = createOAuthRequestHandler({
    ...deps,
    rateLimiter,
    providers: deps.oauthProviders ?? getOAuthProviders(config.oauth, config.appOrigin),
  });
  const serveHealth = createHealthHandler({ db: deps.db, isDraining: deps.isDraining ?? (() => false) });
  const serveStatic = config.webDistDir ? createStaticFileHandler(config.webDistDir) : null;
  const jwks = JSON.stringify(createJsonWebKeySet(config.accessToken.verificationKeys));
  // An https APP_ORIGIN means browsers reach us over HTTPS, served here or by a proxy in front.
  // Browsers ignore the header on a plain-HTTP response (RFC 6797 §8.1).
  const strictTransportSecurity = config.appOrigin.startsWith("https:");

  /** A request shape the edge does not serve: 400 or 405 (with Allow), in tRPC's format under /trpc/, logged in one line. */
  function refuseRequestShape(req: IncomingMessage, res: ServerResponse, verdict: Extract<RequestShapeVerdict, { ok: false }>): void {
    const headers: Record<string, string> = verdict.status === 405 ? { Allow: verdict.allow } : {};
    const url = req.url ?? "/";
    console.warn(`${verdict.status} ${req.method} ${JSON.stringify(url.slice(0, LOGGED_URL_MAX_LENGTH))}: ${verdict.reason}`);
    if (url.startsWith(TRPC_PREFIX)) return sendTrpcError(res, router, url, REFUSAL_ERROR_CODES[verdict.status], verdict.reason, headers);
    sendJsonError(res, verdict.status, verdict.reason, headers);
  }

  return (req, res) => {
    for (const [name, value] of SECURITY_HEADER_ENTRIES) res.setHeader(name, value);
    if (strictTransportSecurity) res.setHeader("Strict-Transport-Security", HSTS_HEADER);
    const url = req.url ?? "/";
    const isApi = url.startsWith(TRPC_PREFIX);
    // API answers carry user data, session tokens and access tokens, and so do their refusals:
    // never stored by a cache.
    if (isApi) res.setHeader("Cache-Control", "no-store");
    const shape = checkRequestShape(req.method ?? "", url);
    if (!shape.ok) return refuseRequestShape(req, res, shape);
    const { pathname } = shape;
    if (LINK_PAGES.has(pathname)) res.setHeader("Referrer-Policy", "no-referrer");

    if (isApi) {
      const verdict = checkRequestCsrf(req, config);
      if (!verdict.ok) return sendTrpcError(res, router, url, REFUSAL_ERROR_CODES[verdict.status], verdict.reason);
      if (req.method === "GET" || req.method === "HEAD") {
        void handleTrpc(req, res);
        return;
      }
      void forwardWithBody(req, res, router, handleTrpc);
      return;
    }
    if (pathname === JWKS_PATH && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
      res.end(req.method === "HEAD" ? undefined : jwks);
      return;
    }
    if (pathname.startsWith(OAUTH_ROUTE_PREFIX)) {
      sendWebResponse(req, res, config.appOrigin, oauthRoutes).catch((error: unknown) => {
        if (res.headersSent) return;
        // A database outage is a wait, as on the API (database-outage.ts); anything else is a bug.
        if (isDatabaseOutageError(error)) {
          res.setHeader("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
          return sendJsonError(res, 503, "The service is briefly unavailable. Please try again in a moment.");
        }
        console.error("OAuth route failed:", error);
        sendJsonError(res, 500, "Internal error");
      });
      return;
    }
    if (serveHealth(req, res)) return;
    if (serveStatic) {
      serveStatic(req, res).catch((error: unknown) => {
        // One line: a file that failed to read is a disk's problem, not a bug to trace.
        console.error(`static file ${JSON.stringify(pathname)} failed: ${(error as Error).message}`);
        if (!res.headersSent) sendJsonError(res, 500, "Internal error");
      });
      return;
    }
    sendJsonError(res, 404, "Not found");
  };
}

/** A refusal written straight to the socket, for requests Node never hands to the request handler. */
function endSocketWithRefusal(socket: Duplex, refusal: { status: number; reason: string; allow?: string }): void {
  const body = JSON.stringify({ error: { message: refusal.reason } });
  const allow = refusal.allow ? `Allow: ${refusal.allow}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n${allow}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Node hands CONNECT (a tunnel request) to the "connect" event instead of the request handler, and
 * without a listener drops the connection unanswered: it gets the edge's 405 like any other method.
 */
function refuseConnect(req: IncomingMessage, socket: Duplex): void {
  const verdict = checkRequestShape("CONNECT", req.url ?? "");
  socket.on("error", () => socket.destroy());
  endSocketWithRefusal(socket, verdict.ok ? { status: 405, reason: "CONNECT is not served here." } : verdict);
}

/** What Node's parser refused (an unknown method such as TRACK, a malformed request line): one line in the log. */
function refuseUnparsedRequest(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const verdict = checkUnparsedRequest(error.code, error.rawPacket);
  console.warn(`${verdict.status} (unparsed request, ${error.code ?? "no code"}): ${verdict.reason}`);
  endSocketWithRefusal(socket, verdict);
}

export function createHttpServer(deps: HttpServerDeps): Server {
  return createServer(createRequestHandler(deps)).on("connect", refuseConnect).on("clientError", refuseUnparsedRequest);
}

/** The same handler over HTTPS, with PEM certificate (chain) and private key. */
export function createHttpsServer(deps: HttpServerDeps, tls: { cert: string | Buffer; key: string | Buffer }): TlsServer {
  return createTlsServer({ cert: tls.cert, key: tls.key }, createRequestHandler(deps))
    .on("connect", refuseConnect)
    .on("clientError", refuseUnparsedRequest);
}
