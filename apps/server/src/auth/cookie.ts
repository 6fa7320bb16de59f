// Our cookies' names and attributes (DESIGN §4): the session cookie here, the OAuth state cookie
// (auth/oauth-state.ts) through the same two functions. Pure: the HTTP edge applies the strings.
const COOKIE_NAME = "latchkey_session";

/** `__Host-` binds a cookie to this exact host over HTTPS: no Domain, Path=/, Secure. */
export function getCookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

export function getSessionCookieName(secure: boolean): string {
  return getCookieName(COOKIE_NAME, secure);
}

export function serializeSessionCookie(token: string, options: { secure: boolean; expiresAt: Date; now: Date }): string {
  const maxAgeSeconds = Math.max(0, Math.floor((options.expiresAt.getTime() - options.now.getTime()) / 1000));
  return serializeCookie(getSessionCookieName(options.secure), token, maxAgeSeconds, options.secure);
}

export function serializeBlankSessionCookie(options: { secure: boolean }): string {
  return serializeCookie(getSessionCookieName(options.secure), "", 0, options.secure);
}

/** HttpOnly, SameSite=Lax, Path=/ and, over HTTPS, Secure (give it a name from getCookieName). */
export function serializeCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`${name}=${value}`, "Path=/", `Max-Age=${maxAgeSeconds}`, "HttpOnly", "SameSite=Lax"];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}

/** The session token from a Cookie header, or null. */
export function readSessionCookie(cookieHeader: string | undefined, secure: boolean): string | null {
  return readCookie(cookieHeader, getSessionCookieName(secure));
}

/** The value of the cookie named exactly `name` (not a suffix of another name), or null when empty or absent. */
export function readCookie(cookieHeader: string | undefined | null, name: string): string | null {
  if (!cookieHeader) return null;
  for (const pair of cookieHeader.split(";")) {
    const separator = pair.indexOf("=");
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      const value = pair.slice(separator + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}
