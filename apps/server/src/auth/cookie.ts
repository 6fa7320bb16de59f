// The session cookie's name and attributes (DESIGN §4). Pure: the HTTP edge applies the strings.
const COOKIE_NAME = "latchkey_session";
// `__Host-` binds the cookie to this exact host over HTTPS: no Domain, Path=/, Secure.
const SECURE_COOKIE_NAME = `__Host-${COOKIE_NAME}`;

export function getSessionCookieName(secure: boolean): string {
  return secure ? SECURE_COOKIE_NAME : COOKIE_NAME;
}

export function serializeSessionCookie(token: string, options: { secure: boolean; expiresAt: Date; now: Date }): string {
  const maxAgeSeconds = Math.max(0, Math.floor((options.expiresAt.getTime() - options.now.getTime()) / 1000));
  return serializeCookie(getSessionCookieName(options.secure), token, maxAgeSeconds, options.secure);
}

export function serializeBlankSessionCookie(options: { secure: boolean }): string {
  return serializeCookie(getSessionCookieName(options.secure), "", 0, options.secure);
}

function serializeCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`${name}=${value}`, "Path=/", `Max-Age=${maxAgeSeconds}`, "HttpOnly", "SameSite=Lax"];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}

/** The session token from a Cookie header, or null. */
export function readSessionCookie(cookieHeader: string | undefined, secure: boolean): string | null {
  if (!cookieHeader) return null;
  const name = getSessionCookieName(secure);
  for (const pair of cookieHeader.split(";")) {
    const separator = pair.indexOf("=");
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      const value = pair.slice(separator + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}
