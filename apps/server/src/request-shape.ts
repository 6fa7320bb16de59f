// Edge checks on the shape of a request, before any route runs: the method must be one the path
// serves (else 405 with Allow) and the path's percent-encoding must decode (else 400). Pure
// functions of method and URL, so either HTTP adapter can call them; edit when a route is added.

const TRPC_PREFIX = "/trpc/";
const API_METHODS = ["GET", "POST"] as const;
// The OAuth routes (oauth-routes.ts) are browser navigations: redirects only.
const OAUTH_PREFIX = "/auth/oauth/";
const OAUTH_METHODS = ["GET"] as const;
// JWKS, /healthz, /readyz and the built web app.
const PAGE_METHODS = ["GET", "HEAD"] as const;

export type RequestShapeVerdict =
  | { ok: true; pathname: string }
  | { ok: false; status: 400; reason: string }
  | { ok: false; status: 405; reason: string; allow: string };

/** The path of a request target with its percent-encoding decoded, or null when it does not decode. */
export function decodeRequestPath(url: string): string | null {
  const pathname = url.split("?", 1)[0]!;
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/** The methods a path is served with: the API takes queries (GET) and mutations (POST). */
export function getAllowedMethods(url: string): readonly string[] {
  if (url.startsWith(TRPC_PREFIX)) return API_METHODS;
  return url.startsWith(OAUTH_PREFIX) ? OAUTH_METHODS : PAGE_METHODS;
}

/**
 * Whether a request has a shape the edge serves; TRACE, TRACK, CONNECT, PROPFIND, OPTIONS (no CORS
 * is served) and the like get 405, a target that is not a path or does not decode gets 400.
 */
export function checkRequestShape(method: string, url: string): RequestShapeVerdict {
  const allowed = getAllowedMethods(url);
  if (!allowed.includes(method)) return { ok: false, status: 405, reason: `${method} is not served here.`, allow: allowed.join(", ") };
  // Absolute-form and authority-form targets (proxy requests) are not ours to serve.
  if (!url.startsWith("/")) return { ok: false, status: 400, reason: "The request target must be a path." };
  const pathname = decodeRequestPath(url);
  if (pathname === null) return { ok: false, status: 400, reason: "The path has malformed percent-encoding." };
  return { ok: true, pathname };
}

/** A request Node's parser refused before any handler ran: the status to answer with. */
export type UnparsedRequestVerdict = { status: number; reason: string; allow?: string };

/**
 * Methods Node's parser does not know (TRACK, made-up ones) get the 405 any other unserved method
 * gets; the target is read from the request line Node hands over. Other parse errors keep Node's
 * own answers (431 for oversized headers, 408 for a slow client, else 400).
 */
export function checkUnparsedRequest(code: string | undefined, rawPacket: Buffer | undefined): UnparsedRequestVerdict {
  if (code === "HPE_INVALID_METHOD") {
    const target = rawPacket?.toString("latin1").split(" ", 2)[1] ?? "/";
    return { status: 405, reason: "This method is not served here.", allow: getAllowedMethods(target).join(", ") };
  }
  if (code === "HPE_HEADER_OVERFLOW") return { status: 431, reason: "The request headers are too large." };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, reason: "The request took too long to arrive." };
  return { status: 400, reason: "The request could not be parsed." };
}
