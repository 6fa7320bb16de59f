// The HTTP edge (DESIGN §1): security headers, CSRF check and body limit in front of the tRPC
// handler, the access-token public keys (JWKS), and the built web app in production. Everything
// HTTP-specific about auth lives here and in context.ts. One request handler, served over HTTP or,
// with TLS_CERT_FILE/TLS_KEY_FILE, over HTTPS.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import { getTRPCErrorShape, TRPCError, type AnyTRPCRouter, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getSessionCookieName } from "./auth/cookie.ts";
import { checkCsrf } from "./auth/csrf.ts";
import { createRateLimiter, type RateLimiter } from "./auth/rate-limit.ts";
import { createJsonWebKeySet } from "./auth/signing-key.ts";
import { createContextFactory } from "./context.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";
import { appRouter } from "./routers/_app.ts";
import { LINK_PATHS } from "./mail/messages.ts";
import { getRetryAfterSeconds } from "./trpc.ts";
import { createStaticFileHandler } from "./static-files.ts";

const TRPC_PREFIX = "/trpc/";
const JWKS_PATH = "/.well-known/jwks.json";
// Verifiers may keep the key set this long: publish a new key at least this long before signing
// with it, and keep an old one this long after its last token expired (docs/tokens.md).
const JWKS_MAX_AGE_SECONDS = 300;
// tRPC answers larger bodies with 413 before parsing them, whether or not they declare a length.
export const MAX_BODY_BYTES = 100 * 1024;
// ASVS 5.0 V3.4.1: at least a year, subdomains included.
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;
const HSTS_HEADER = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  // Other sites cannot embed our answers as images, scripts or media (ASVS 5.0 V3.5.8).
  "Cross-Origin-Resource-Policy": "same-origin",
} as const;

// The pages mailed links land on: their URL holds a token (in the fragment, which no browser sends
// on), and they send no Referer at all, to us or anyone.
const LINK_PAGES: ReadonlySet<string> = new Set([LINK_PATHS.verifyEmail, LINK_PATHS.resetPassword, LINK_PATHS.confirmEmailChange]);

function sendJsonError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message } }));
}

const CSRF_ERROR_CODES = { 403: "FORBIDDEN", 415: "UNSUPPORTED_MEDIA_TYPE" } as const satisfies Record<number, TRPC_ERROR_CODE_KEY>;

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
function sendTrpcError(res: ServerResponse, router: AnyTRPCRouter, url: string, code: TRPC_ERROR_CODE_KEY, message: string): void {
  const error = new TRPCError({ code, message });
  const queryStart = url.indexOf("?");
  const path = decodePath(url.slice(TRPC_PREFIX.length, queryStart === -1 ? undefined : queryStart));
  const isBatch = queryStart !== -1 && new URLSearchParams(url.slice(queryStart + 1)).get("batch") === "1";
  const envelopes = (isBatch ? path.split(",") : [path]).map((callPath) => ({
    error: getTRPCErrorShape({ config: router._def._config, error, type: "unknown", path: callPath, input: undefined, ctx: undefined }),
  }));
  res
    .writeHead(getHTTPStatusCodeFromError(error), { "Content-Type": "application/json" })
    .end(JSON.stringify(isBatch ? envelopes : envelopes[0]));
}

function hasSessionCookie(req: IncomingMessage, config: Config): boolean {
  return req.headers.cookie?.includes(`${getSessionCookieName(config.secureCookies)}=`) ?? false;
}

export interface HttpServerDeps {
  db: Database;
  config: Config;
  clock?: () => Date;
  /** Required for a shared store (auth/rate-limit-store.ts); the memory store is made here if omitted. */
  rateLimiter?: RateLimiter;
  /** The API by default; `pnpm bench` serves a public procedure built with the same builders. */
  router?: AnyTRPCRouter;
}

function requireRateLimiter(deps: HttpServerDeps): RateLimiter {
  if (deps.rateLimiter) return deps.rateLimiter;
  if (deps.config.rateLimit.store !== "memory") {
    throw new Error(`RATE_LIMIT_STORE=${deps.config.rateLimit.store}: connect it (connectRateLimitStore) and pass a rateLimiter`);
  }
  return createRateLimiter(deps.config.rateLimit.policy, { type: "memory" });
}

export function createRequestHandler(deps: HttpServerDeps): RequestListener {
  const { config } = deps;
  const router = deps.router ?? appRouter;
  const trpcHandler = createHTTPHandler({
    router,
    createContext: createContextFactory({ ...deps, rateLimiter: requireRateLimiter(deps) }),
    basePath: TRPC_PREFIX,
    maxBodySize: MAX_BODY_BYTES,
    // A rate-limited answer (429) says when to come back, for clients that read headers only.
    responseMeta({ errors }) {
      const retryAfter = Math.max(0, ...errors.map((error) => getRetryAfterSeconds(error) ?? 0));
      return retryAfter > 0 ? { headers: { "Retry-After": String(retryAfter) } } : {};
    },
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
  const serveStatic = config.webDistDir ? createStaticFileHandler(config.webDistDir) : null;
  const jwks = JSON.stringify(createJsonWebKeySet(config.accessToken.verificationKeys));
  // An https APP_ORIGIN means browsers reach us over HTTPS, served here or by a proxy in front.
  // Browsers ignore the header on a plain-HTTP response (RFC 6797 §8.1).
  const strictTransportSecurity = config.appOrigin.startsWith("https:");

  return (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (strictTransportSecurity) res.setHeader("Strict-Transport-Security", HSTS_HEADER);
    const url = req.url ?? "/";
    const pathname = url.split("?")[0];
    if (pathname !== undefined && LINK_PAGES.has(pathname)) res.setHeader("Referrer-Policy", "no-referrer");

    if (url.startsWith(TRPC_PREFIX)) {
      // API answers carry user data, session tokens and access tokens, and so do their refusals:
      // never stored by a cache.
      res.setHeader("Cache-Control", "no-store");
      const verdict = checkCsrf(
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
      if (!verdict.ok) return sendTrpcError(res, router, url, CSRF_ERROR_CODES[verdict.status], verdict.reason);
      // tRPC parses a POST body as JSON even when it is empty, which is what its own httpLink sends
      // for a mutation called without input (e.g. session.revokeOthers): an empty body is no input.
      if (req.method === "POST" && req.headers["content-length"] === "0") Object.assign(req, { body: {} });
      return trpcHandler(req, res);
    }
    if (pathname === JWKS_PATH && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
      res.end(req.method === "HEAD" ? undefined : jwks);
      return;
    }
    if (url === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
      return;
    }
    if (serveStatic && (req.method === "GET" || req.method === "HEAD")) {
      serveStatic(req, res).catch((error: unknown) => {
        console.error("static file failed:", error);
        if (!res.headersSent) sendJsonError(res, 500, "Internal error");
      });
      return;
    }
    sendJsonError(res, 404, "Not found");
  };
}

export function createHttpServer(deps: HttpServerDeps): Server {
  return createServer(createRequestHandler(deps));
}

/** The same handler over HTTPS, with PEM certificate (chain) and private key. */
export function createHttpsServer(deps: HttpServerDeps, tls: { cert: string | Buffer; key: string | Buffer }): TlsServer {
  return createTlsServer({ cert: tls.cert, key: tls.key }, createRequestHandler(deps));
}
