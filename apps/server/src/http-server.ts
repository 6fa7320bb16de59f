// The HTTP edge (DESIGN §1): security headers, CSRF check and body limit in front of the tRPC
// handler, the access-token public keys (JWKS), and the built web app in production. Everything
// HTTP-specific about auth lives here and in context.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { getSessionCookieName } from "./auth/cookie.ts";
import { checkCsrf } from "./auth/csrf.ts";
import { createJsonWebKeySet } from "./auth/signing-key.ts";
import { createContextFactory } from "./context.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";
import { appRouter } from "./routers/_app.ts";
import { createStaticFileHandler } from "./static-files.ts";

const TRPC_PREFIX = "/trpc/";
const JWKS_PATH = "/.well-known/jwks.json";
// Verifiers may keep the key set this long: publish a new key at least this long before signing
// with it, and keep an old one this long after its last token expired (docs/tokens.md).
const JWKS_MAX_AGE_SECONDS = 300;
// tRPC answers larger bodies with 413 before parsing them.
const MAX_BODY_BYTES = 100 * 1024;

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
} as const;

function sendJsonError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message } }));
}

function hasSessionCookie(req: IncomingMessage, config: Config): boolean {
  return req.headers.cookie?.includes(`${getSessionCookieName(config.secureCookies)}=`) ?? false;
}

export function createHttpServer(deps: { db: Database; config: Config; clock?: () => Date }): Server {
  const { config } = deps;
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    createContext: createContextFactory(deps),
    basePath: TRPC_PREFIX,
    maxBodySize: MAX_BODY_BYTES,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
  const serveStatic = config.webDistDir ? createStaticFileHandler(config.webDistDir) : null;
  const jwks = JSON.stringify(createJsonWebKeySet(config.accessToken.verificationKeys));

  return createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = req.url ?? "/";
    const pathname = url.split("?")[0];

    if (url.startsWith(TRPC_PREFIX)) {
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
      if (!verdict.ok) return sendJsonError(res, verdict.status, verdict.reason);
      // API answers carry user data, session tokens and access tokens: never stored by a cache.
      res.setHeader("Cache-Control", "no-store");
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
  });
}
