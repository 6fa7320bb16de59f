// The OAuth state cookie: what the callback must find again (state, PKCE verifier, OIDC nonce, why
// the flow started), kept by the browser that started it for OAUTH_STATE_MAX_AGE_SECONDS. Pure.
// It needs no signature: it only ever goes back to the browser that received it, and a browser can
// only hurt itself by editing it (the provider still checks the verifier, we the state and nonce).
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { z } from "zod";
import { getCookieName, readCookie, serializeCookie } from "./cookie.ts";

const COOKIE_NAME = "latchkey_oauth";
// Long enough to sign in at the provider (and create an account there), short enough that a
// forgotten flow does not linger.
export const OAUTH_STATE_MAX_AGE_SECONDS = 10 * 60;

/** Why the flow started: signing in, linking a provider to the signed-in user, or sudo mode. */
export const oauthIntents = ["sign-in", "link", "reauthenticate"] as const;
export type OAuthIntent = (typeof oauthIntents)[number];

const oauthStateSchema = z.object({
  provider: z.string(),
  state: z.string().min(1),
  codeVerifier: z.string().min(1),
  nonce: z.string().min(1),
  intent: z.enum(oauthIntents),
  /** The session that started a link or re-authentication: the callback must come from it. */
  sessionId: z.string().nullable(),
  /** Where to go afterwards: a path of this app. */
  next: z.string().nullable(),
});
export type OAuthState = z.infer<typeof oauthStateSchema>;

export function serializeOAuthStateCookie(state: OAuthState, secure: boolean): string {
  const value = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(state)));
  return serializeCookie(getCookieName(COOKIE_NAME, secure), value, OAUTH_STATE_MAX_AGE_SECONDS, secure);
}

/** Every callback clears the cookie, success or not: a state is used once. */
export function serializeBlankOAuthStateCookie(secure: boolean): string {
  return serializeCookie(getCookieName(COOKIE_NAME, secure), "", 0, secure);
}

/** The state from a Cookie header, or null when absent or not one of ours. */
export function readOAuthStateCookie(cookieHeader: string | null, secure: boolean): OAuthState | null {
  const value = readCookie(cookieHeader, getCookieName(COOKIE_NAME, secure));
  if (!value) return null;
  try {
    const parsed = oauthStateSchema.safeParse(JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(value))));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
