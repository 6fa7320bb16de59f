import { describe, expect, it } from "vitest";
import { readOAuthStateCookie, serializeBlankOAuthStateCookie, serializeOAuthStateCookie, type OAuthState } from "./oauth-state.ts";

const state: OAuthState = {
  provider: "oidc",
  state: "s".repeat(43),
  codeVerifier: "v".repeat(43),
  nonce: "n".repeat(43),
  intent: "link",
  sessionId: "session-1",
  next: "/account",
};

describe("OAuth state cookie", () => {
  it("over HTTPS: __Host- prefix, Secure, HttpOnly, SameSite=Lax, ten minutes; read back only under that name", () => {
    const cookie = serializeOAuthStateCookie(state, true);
    expect(cookie).toMatch(/^__Host-latchkey_oauth=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    const header = cookie.split(";")[0]!;
    expect(readOAuthStateCookie(header, true)).toEqual(state);
    // A cookie without the prefix could have been planted by a sibling domain.
    expect(readOAuthStateCookie(header.replace("__Host-", ""), true)).toBeNull();
    expect(serializeBlankOAuthStateCookie(true)).toBe("__Host-latchkey_oauth=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
  });

  it("reads nothing from a value that is not one of ours", () => {
    for (const value of ["", "%%%", Buffer.from("{").toString("base64url"), Buffer.from(JSON.stringify({ ...state, intent: "steal" })).toString("base64url")]) {
      expect(readOAuthStateCookie(`latchkey_oauth=${value}`, false)).toBeNull();
    }
    expect(readOAuthStateCookie(null, false)).toBeNull();
  });
});
