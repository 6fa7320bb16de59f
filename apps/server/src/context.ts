// Per-request context. createContext adapts node:http to the pure createInnerContext, which tests
// call directly; credentials are read and the session cookie written only here and in http-server.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccessTokenClaims } from "./auth/access-token.ts";
import { getAccessTokenVerifier } from "./auth/access-token-cache.ts";
import { getClientIp } from "./auth/client-ip.ts";
import { readSessionCookie, serializeBlankSessionCookie, serializeSessionCookie } from "./auth/cookie.ts";
import type { PasswordHasher } from "./auth/password-hasher.ts";
import type { RateLimiter } from "./auth/rate-limit.ts";
import type { SessionCache } from "./auth/session-cache.ts";
import { validateSessionToken, type Session, type SessionMetadata, type SessionUser } from "./auth/session.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";
import { rethrowDatabaseOutage } from "./trpc.ts";

/** What the request presented: the session cookie, or `Authorization: Bearer` with a session token or a JWT. */
export type Credential = { type: "cookie" | "bearer" | "jwt"; token: string };

/** A session named by an access token's `sid`: signed by us, but not checked against the database. */
export interface SessionReference {
  id: string;
  userId: string;
}

/**
 * Who made the request and how that was established. Cookie and bearer session tokens were checked
 * against the session row on this request; an access token (jwt) only by its signature and claims,
 * so its session may have ended since it was issued (sessionProcedure re-checks).
 */
export type Authentication =
  | { method: "cookie" | "bearer"; user: SessionUser; session: Session }
  | { method: "jwt"; user: SessionUser; session: SessionReference; claims: AccessTokenClaims };

/**
 * A session that has passed only its first factor (auth/second-factor.ts). It is kept apart from
 * `auth`, so every procedure refuses it unless it asks for it (secondFactorProcedure).
 */
export interface PendingAuthentication {
  method: "cookie" | "bearer";
  user: SessionUser;
  session: Session;
}

/** How procedures set or clear the browser's session cookie without touching HTTP objects. */
export interface SessionCookieWriter {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface InnerContextOptions {
  db: Database;
  config: Config;
  credential: Credential | null;
  metadata: SessionMetadata;
  cookies: SessionCookieWriter;
  rateLimiter: RateLimiter;
  passwordHasher: PasswordHasher;
  /** Omitted for server-side callers, which are not HTTP requests: no per-request limit. */
  secretChecks?: SecretCheckBudget;
  /** Validated sessions kept in memory (SESSION_CACHE); null: every lookup reads the database. */
  sessionCache?: SessionCache | null;
  clock?: () => Date;
}

/**
 * How many more secret checks (password, code) this request may make. Shared by every call of a
 * batch, so a batch of guesses costs one check (trpc.ts: checksSecret).
 */
export interface SecretCheckBudget {
  remaining: number;
}

/** One secret check per HTTP request. */
export const SECRET_CHECKS_PER_REQUEST = 1;

async function authenticate(
  db: Database,
  config: Config,
  credential: Credential,
  now: Date,
  sessionCache: SessionCache | null,
): Promise<{ auth: Authentication | null; pendingAuth: PendingAuthentication | null }> {
  if (credential.type === "jwt") {
    // No database query: signature, key, typ, iss, aud and lifetime decide (DESIGN §4); the
    // signature is verified once per token and server (auth/access-token-cache.ts).
    const result = getAccessTokenVerifier(config.accessToken).verify(credential.token, now);
    if (!result.ok) return { auth: null, pendingAuth: null };
    const { claims } = result;
    const user = { id: claims.sub, email: claims.email, name: claims.name, emailVerified: claims.email_verified === true };
    return { auth: { method: "jwt", user, session: { id: claims.sid, userId: claims.sub }, claims }, pendingAuth: null };
  }
  const { session, user } = await validateSessionToken(db, credential.token, config.session, now, sessionCache);
  // A session token is accepted only the way it was issued: a cookie session's token sent as a
  // bearer token (or the reverse) was taken out of its channel, and fails like a wrong token.
  if (!session || session.kind !== credential.type) return { auth: null, pendingAuth: null };
  const authentication = { method: credential.type, user, session };
  return session.secondFactorPending ? { auth: null, pendingAuth: authentication } : { auth: authentication, pendingAuth: null };
}

export async function createInnerContext(options: InnerContextOptions) {
  const clock = options.clock ?? (() => new Date());
  const sessionCache = options.sessionCache ?? null;
  const { auth, pendingAuth } = options.credential
    ? await authenticate(options.db, options.config, options.credential, clock(), sessionCache).catch(rethrowDatabaseOutage)
    : { auth: null, pendingAuth: null };
  // A stale cookie is removed so the browser stops sending it.
  if (options.credential?.type === "cookie" && !auth && !pendingAuth) options.cookies.clear();
  return {
    db: options.db,
    config: options.config,
    clock,
    credential: options.credential,
    metadata: options.metadata,
    cookies: options.cookies,
    rateLimiter: options.rateLimiter,
    passwordHasher: options.passwordHasher,
    secretChecks: options.secretChecks ?? { remaining: Number.POSITIVE_INFINITY },
    sessionCache,
    auth,
    pendingAuth,
  };
}

export type Context = Awaited<ReturnType<typeof createInnerContext>>;

const BEARER_PREFIX = /^Bearer\s+/i;

/** The request's credential: an Authorization header decides when present (the cookie is ignored). */
export function readCredential(req: IncomingMessage, config: Config): Credential | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    // Any other scheme leaves the header as it is, which never parses as a token.
    const token = authorization.replace(BEARER_PREFIX, "");
    // A session token `<id>.<secret>` has one dot, a JWT (header.payload.signature) two.
    return { type: token.split(".").length === 3 ? "jwt" : "bearer", token };
  }
  const token = readSessionCookie(req.headers.cookie, config.secureCookies);
  return token ? { type: "cookie", token } : null;
}

export function createCookieWriter(res: ServerResponse, config: Config, clock: () => Date): SessionCookieWriter {
  const append = (cookie: string) => {
    res.appendHeader("Set-Cookie", cookie);
    // A response that carries a session token must never be stored by a cache.
    res.setHeader("Cache-Control", "no-store");
  };
  return {
    set: (token, expiresAt) => append(serializeSessionCookie(token, { secure: config.secureCookies, expiresAt, now: clock() })),
    clear: () => append(serializeBlankSessionCookie({ secure: config.secureCookies })),
  };
}

export function createContextFactory(deps: {
  db: Database;
  config: Config;
  rateLimiter: RateLimiter;
  passwordHasher: PasswordHasher;
  sessionCache?: SessionCache | null;
  clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }) =>
    createInnerContext({
      db: deps.db,
      config: deps.config,
      clock,
      credential: readCredential(req, deps.config),
      metadata: {
        userAgent: req.headers["user-agent"] ?? null,
        ip: getClientIp({ socketAddress: req.socket.remoteAddress, forwardedFor: req.headers["x-forwarded-for"] }, deps.config.trustedProxyHops),
      },
      cookies: createCookieWriter(res, deps.config, clock),
      rateLimiter: deps.rateLimiter,
      passwordHasher: deps.passwordHasher,
      secretChecks: { remaining: SECRET_CHECKS_PER_REQUEST },
      sessionCache: deps.sessionCache ?? null,
    });
}
