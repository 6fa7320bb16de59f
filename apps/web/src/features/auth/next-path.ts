// Where sign-in sends people afterwards. `next` arrives in the URL, so anyone can craft a link
// with it: only paths inside this app pass, never another origin (open redirect).
const FALLBACK_PATH = "/";
// Any origin would do: a path that stays on it stays in the app.
const PROBE_ORIGIN = "https://app.invalid";

/** Why someone is on the sign-in page: their session ended, or they deleted their account. */
export type SignInReason = "expired" | "deleted";

/** `raw` if it is a same-app path such as "/notes?tab=1", otherwise "/". */
export function sanitizeNextPath(raw: string | null): string {
  if (!raw?.startsWith("/") || !URL.canParse(raw, PROBE_ORIGIN)) return FALLBACK_PATH;
  // Judge what a browser makes of it, not the raw text: the URL parser reads "\" as "/", drops
  // tabs and newlines and resolves dot segments, so "/\evil.com" and "/.//evil.com" leave the app.
  const url = new URL(raw, PROBE_ORIGIN);
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PROBE_ORIGIN || path.startsWith("//")) return FALLBACK_PATH;
  return path;
}

/** The sign-in URL that brings the user back to `next`, saying why they are there. */
export function buildSignInPath({ next, reason }: { next?: string; reason?: SignInReason } = {}): string {
  const params = new URLSearchParams();
  if (reason) params.set("reason", reason);
  if (next && next !== FALLBACK_PATH) params.set("next", next);
  const query = params.toString();
  return query ? `/sign-in?${query}` : "/sign-in";
}
