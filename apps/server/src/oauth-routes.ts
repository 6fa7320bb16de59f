// The OAuth routes at the HTTP edge, as web-standard handlers (Request in, Response out) so that any
// server adapter can mount them: GET /auth/oauth/:provider starts a flow (sign in, link, or sudo-mode
// re-authentication), GET /auth/oauth/:provider/callback finishes it. Every failure redirects to the
// sign-in (or account) page with `oauth_error=<OAuthFailure>` and writes no user, link or session.
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import * as oauth from "oauth4webapi";
import { getClientIp } from "./auth/client-ip.ts";
import { readSessionCookie, serializeSessionCookie } from "./auth/cookie.ts";
import { isOAuthIdentityOfUser, linkOAuthIdentity, signInWithOAuthIdentity } from "./auth/oauth-account.ts";
import type { OAuthAuthorization, OAuthFailure, OAuthIdentity, OAuthProvider, OAuthProviders } from "./auth/oauth-provider.ts";
import { oauthIntents, readOAuthStateCookie, serializeBlankOAuthStateCookie, serializeOAuthStateCookie, type OAuthIntent, type OAuthState } from "./auth/oauth-state.ts";
import type { RateLimiter } from "./auth/rate-limit.ts";
import { isSessionRecentlyAuthenticated, replaceSession } from "./auth/reauthentication.ts";
import { startFirstFactorSignIn } from "./auth/second-factor.ts";
import { createSession, invalidateSession, validateSessionToken, type Session, type SessionMetadata } from "./auth/session.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";

export const OAUTH_ROUTE_PREFIX = "/auth/oauth/";
const ROUTE = /^\/auth\/oauth\/([a-z0-9-]{1,32})(\/callback)?$/;

/** The connection facts a web Request does not carry. */
export interface ClientConnection {
  remoteAddress: string | undefined;
}

export type OAuthRequestHandler = (request: Request, connection: ClientConnection) => Promise<Response>;

export interface OAuthRoutesDeps {
  db: Database;
  config: Config;
  providers: OAuthProviders;
  /** Counts accounts created through a provider with the sign-ups (RATE_LIMIT_SIGN_UPS_PER_IP). */
  rateLimiter: RateLimiter;
  clock?: () => Date;
}

const PROBE_ORIGIN = "http://app.invalid";

/**
 * A path inside this app, for returning after the flow; else null. Judged as a browser reads it:
 * backslashes, control characters and `//host` would leave the app (open redirect).
 */
function getLocalPath(value: string | null): string | null {
  if (!value?.startsWith("/") || /[\u0000-\u001f\\]/.test(value) || !URL.canParse(value, PROBE_ORIGIN)) return null;
  const url = new URL(value, PROBE_ORIGIN);
  const path = `${url.pathname}${url.search}`;
  return url.origin === PROBE_ORIGIN && !path.startsWith("//") ? path : null;
}

function isEqualText(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const [left, right] = [encoder.encode(a), encoder.encode(b)];
  return left.length === right.length && constantTimeEqual(left, right);
}

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ Location: location, "Cache-Control": "no-store" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}

function withParameter(path: string, name: string, value: string): string {
  const url = new URL(path, PROBE_ORIGIN);
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

/** Sign-in failures go to the sign-in page; a signed-in user's flows go back where they started. */
function getFailureLocation(intent: OAuthIntent, next: string | null, failure: OAuthFailure): string {
  return withParameter(intent === "sign-in" ? "/sign-in" : (next ?? "/account"), "oauth_error", failure);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers } });
}

export function createOAuthRequestHandler(deps: OAuthRoutesDeps): OAuthRequestHandler {
  const { db, config, providers } = deps;
  const clock = deps.clock ?? (() => new Date());
  const secure = config.secureCookies;

  /** The live cookie session this browser sent, if any. */
  async function getCookieSession(request: Request, now: Date): Promise<Session | null> {
    const token = readSessionCookie(request.headers.get("cookie") ?? undefined, secure);
    if (!token) return null;
    const { session } = await validateSessionToken(db, token, config.session, now);
    return session?.kind === "cookie" ? session : null;
  }

  function getMetadata(request: Request, connection: ClientConnection): SessionMetadata {
    return {
      userAgent: request.headers.get("user-agent"),
      ip: getClientIp(
        { socketAddress: connection.remoteAddress, forwardedFor: request.headers.get("x-forwarded-for") ?? undefined },
        config.trustedProxyHops,
      ),
    };
  }

  async function start(request: Request, provider: OAuthProvider, url: URL): Promise<Response> {
    const intent = oauthIntents.find((candidate) => candidate === (url.searchParams.get("intent") ?? "sign-in"));
    if (!intent) return text(400, "Unknown intent.");
    const next = getLocalPath(url.searchParams.get("next"));
    let sessionId: string | null = null;
    if (intent !== "sign-in") {
      const now = clock();
      const session = await getCookieSession(request, now);
      // A second-factor-pending session may neither link nor step up: it has not finished signing in.
      if (!session || session.secondFactorPending) return redirect(getFailureLocation("sign-in", null, "session_required"));
      // Checked here to spare a trip to the provider, and again at the callback.
      if (intent === "link" && !(await isSessionRecentlyAuthenticated(db, session.id, config.reauthenticationWindowMs, now))) {
        return redirect(getFailureLocation(intent, next, "reauthentication_required"));
      }
      sessionId = session.id;
    }
    const authorization: OAuthAuthorization = {
      state: oauth.generateRandomState(),
      codeVerifier: oauth.generateRandomCodeVerifier(),
      nonce: oauth.generateRandomNonce(),
      forceLogin: intent === "reauthenticate",
    };
    const target = await provider.createAuthorizationUrl(authorization);
    if (!target) return redirect(getFailureLocation(intent, next, "provider_unavailable"));
    const { state, codeVerifier, nonce } = authorization;
    const saved: OAuthState = { provider: provider.id, state, codeVerifier, nonce, intent, sessionId, next };
    return redirect(target.toString(), [serializeOAuthStateCookie(saved, secure)]);
  }

  async function finish(
    request: Request,
    connection: ClientConnection,
    provider: OAuthProvider,
    saved: OAuthState,
    identity: OAuthIdentity,
  ): Promise<{ location: string; cookies: string[] } | OAuthFailure> {
    const now = clock();
    const current = await getCookieSession(request, now);
    const metadata = getMetadata(request, connection);
    if (saved.intent === "sign-in") {
      const signIn = await signInWithOAuthIdentity(db, {
        provider: provider.id,
        identity,
        autoLink: config.oauth.autoLink,
        now,
        consumeSignUp: () => deps.rateLimiter.consumeSignUp(metadata.ip),
      });
      if (!signIn.ok) return signIn.failure;
      // A new session on every sign-in, like the password's (fixation): the one this browser had ends.
      if (current) await invalidateSession(db, current.id);
      // A user with a second factor gets a pending session, like after a password: the sign-in page
      // asks for the factor (auth/second-factor.ts), so a provider never skips it.
      const start = await startFirstFactorSignIn(db, signIn.userId, "oauth");
      const { token, session } = await createSession(
        db,
        { userId: signIn.userId, kind: "cookie", metadata, assurance: start.assurance, lifetimeMs: start.lifetimeMs },
        config.session,
        now,
      );
      const location = start.assurance.secondFactorPending ? withParameter("/sign-in", "second_factor", "1") : (saved.next ?? "/");
      return { location, cookies: [serializeSessionCookie(token, { secure, expiresAt: session.expiresAt, now })] };
    }
    // Linking and re-authentication act for the session that started them, and no other (never a
    // second-factor-pending one: it would complete without the second factor).
    if (!current || current.id !== saved.sessionId || current.secondFactorPending) return "session_required";
    if (saved.intent === "link") {
      if (!(await isSessionRecentlyAuthenticated(db, current.id, config.reauthenticationWindowMs, now))) return "reauthentication_required";
      const linked = await linkOAuthIdentity(db, { userId: current.userId, provider: provider.id, identity });
      if (!linked.ok) return linked.failure;
      return { location: withParameter(saved.next ?? "/account", "oauth_linked", provider.id), cookies: [] };
    }
    if (!(await isOAuthIdentityOfUser(db, { userId: current.userId, provider: provider.id, accountId: identity.accountId }))) {
      return "identity_mismatch";
    }
    // Sudo mode through the provider, for users with or without a password: a new token whose
    // authentication time is now, like auth.reauthenticate's.
    const replaced = await replaceSession(db, { session: current, factor: "oauth", metadata }, config.session, now);
    if (!replaced) return "session_required";
    return {
      location: saved.next ?? "/account",
      cookies: [serializeSessionCookie(replaced.token, { secure, expiresAt: replaced.session.expiresAt, now })],
    };
  }

  async function callback(request: Request, connection: ClientConnection, provider: OAuthProvider, url: URL): Promise<Response> {
    const saved = readOAuthStateCookie(request.headers.get("cookie"), secure);
    // A state is good for one callback, whatever its outcome.
    const clearState = serializeBlankOAuthStateCookie(secure);
    const fail = (failure: OAuthFailure) => redirect(getFailureLocation(saved?.intent ?? "sign-in", saved?.next ?? null, failure), [clearState]);
    const state = url.searchParams.get("state");
    if (!saved || saved.provider !== provider.id || !state || !isEqualText(state, saved.state)) return fail("state_mismatch");
    const error = url.searchParams.get("error");
    if (error !== null) return fail(error === "access_denied" ? "access_denied" : "provider_error");
    const result = await provider.fetchIdentity(url, { ...saved, forceLogin: saved.intent === "reauthenticate" });
    if (!result.ok) return fail(result.failure);
    const outcome = await finish(request, connection, provider, saved, result.identity);
    if (typeof outcome === "string") return fail(outcome);
    return redirect(outcome.location, [clearState, ...outcome.cookies]);
  }

  return async (request, connection) => {
    const url = new URL(request.url);
    const match = ROUTE.exec(url.pathname);
    const provider = match ? providers.get(match[1]!) : undefined;
    if (!match || !provider) return text(404, "Not found.");
    if (request.method !== "GET") return text(405, "Method not allowed.", { Allow: "GET" });
    return match[2] ? callback(request, connection, provider, url) : start(request, provider, url);
  };
}
