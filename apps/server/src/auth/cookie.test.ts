import { describe, expect, it } from "vitest";
import { getSessionCookieName, readSessionCookie, serializeBlankSessionCookie, serializeSessionCookie } from "./cookie.ts";

const now = new Date("2026-01-01T00:00:00Z");
const expiresAt = new Date(now.getTime() + 30 * 24 * 3600 * 1000);

describe("session cookie", () => {
  it("over HTTP: HttpOnly, SameSite=Lax, Path=/, Max-Age to the absolute expiry, not Secure", () => {
    const cookie = serializeSessionCookie("abc.def", { secure: false, expiresAt, now });
    expect(cookie).toBe("latchkey_session=abc.def; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax");
  });

  it("over HTTPS: __Host- prefix and Secure, no Domain", () => {
    const cookie = serializeSessionCookie("abc.def", { secure: true, expiresAt, now });
    expect(cookie).toBe("__Host-latchkey_session=abc.def; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure");
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("is cleared with an empty value and Max-Age=0", () => {
    expect(serializeBlankSessionCookie({ secure: true })).toBe(
      "__Host-latchkey_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("is read by its exact name only", () => {
    expect(readSessionCookie("a=1; latchkey_session=tok.en; b=2", false)).toBe("tok.en");
    expect(readSessionCookie("xlatchkey_session=evil; latchkey_session=good", false)).toBe("good");
    // Over HTTPS only the __Host- cookie counts: a plain one could have been planted by a subdomain.
    expect(readSessionCookie("latchkey_session=planted", true)).toBeNull();
    expect(readSessionCookie(`${getSessionCookieName(true)}=tok.en`, true)).toBe("tok.en");
    expect(readSessionCookie("latchkey_session=", false)).toBeNull();
    expect(readSessionCookie(undefined, false)).toBeNull();
  });
});
