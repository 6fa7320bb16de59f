// Cross-site request forgery check for every request to the API (DESIGN §5). Pure: the HTTP edge
// passes the relevant headers in and turns a rejection into a 403/415.
export interface CsrfRequest {
  method: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  contentType: string | undefined;
  hasSessionCookie: boolean;
  hasAuthorization: boolean;
}

export type CsrfVerdict = { ok: true } | { ok: false; status: 403 | 415; reason: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function checkCsrf(request: CsrfRequest, allowedOrigins: ReadonlySet<string>): CsrfVerdict {
  if (SAFE_METHODS.has(request.method)) return { ok: true };
  // A browser can send urlencoded, multipart and text/plain bodies cross-site without a CORS
  // preflight; tRPC v11 would accept some of them. JSON from another site always needs a preflight.
  const mediaType = request.contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    return { ok: false, status: 415, reason: "Requests that change state must be sent as application/json." };
  }
  // An Authorization header decides the request's identity (the cookie is then ignored), and no
  // browser attaches one on its own: there is no ambient credential to forge.
  if (request.hasAuthorization) return { ok: true };
  if (request.secFetchSite === "cross-site") {
    return { ok: false, status: 403, reason: "Cross-site requests are not allowed." };
  }
  if (request.origin !== undefined) {
    return allowedOrigins.has(request.origin)
      ? { ok: true }
      : { ok: false, status: 403, reason: `Origin ${request.origin} is not allowed.` };
  }
  // No Origin: fine for non-browser clients, but a cookie makes it a browser request we cannot place.
  if (request.hasSessionCookie && request.secFetchSite !== "same-origin") {
    return { ok: false, status: 403, reason: "Requests with a session cookie must send an Origin header." };
  }
  return { ok: true };
}
