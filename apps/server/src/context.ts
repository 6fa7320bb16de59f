// Per-request context. createContext adapts node:http to the pure createInnerContext, which tests
// call directly; the session cookie is read and written only here and in http-server.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import { readSessionCookie, serializeBlankSessionCookie, serializeSessionCookie } from "./auth/cookie.ts";
import { validateSessionToken, type SessionMetadata } from "./auth/session.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";

export type Credential = { type: "cookie" | "bearer"; token: string };

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
  clock?: () => Date;
}

export async function createInnerContext(options: InnerContextOptions) {
  const clock = options.clock ?? (() => new Date());
  const { session, user } = options.credential
    ? await validateSessionToken(options.db, options.credential.token, options.config.session, clock())
    : { session: null, user: null };
  // A stale cookie is removed so the browser stops sending it.
  if (options.credential?.type === "cookie" && !session) options.cookies.clear();
  return {
    db: options.db,
    config: options.config,
    clock,
    credential: options.credential,
    metadata: options.metadata,
    cookies: options.cookies,
    session,
    user,
  };
}

export type Context = Awaited<ReturnType<typeof createInnerContext>>;

const BEARER_PREFIX = /^Bearer\s+/i;

/** The request's credential: an Authorization header decides when present (the cookie is ignored). */
export function readCredential(req: IncomingMessage, config: Config): Credential | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    // Any other scheme leaves the header as it is, which never parses as a token.
    return { type: "bearer", token: authorization.replace(BEARER_PREFIX, "") };
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

export function createContextFactory(deps: { db: Database; config: Config; clock?: () => Date }) {
  const clock = deps.clock ?? (() => new Date());
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }) =>
    createInnerContext({
      db: deps.db,
      config: deps.config,
      clock,
      credential: readCredential(req, deps.config),
      metadata: { userAgent: req.headers["user-agent"] ?? null, ip: req.socket.remoteAddress ?? null },
      cookies: createCookieWriter(res, deps.config, clock),
    });
}
