// Shared test setup for server tests: a database client, configuration, users and callers.
import { generateEncryptionKey } from "../../apps/server/src/auth/encryption.ts";
import { hashPassword, verifyPassword } from "../../apps/server/src/auth/password.ts";
import { createPasswordHasher, type PasswordHasher } from "../../apps/server/src/auth/password-hasher.ts";
import { generateJwtPrivateKey } from "../../apps/server/src/auth/signing-key.ts";
import { createRateLimiter, type RateLimiter } from "../../apps/server/src/auth/rate-limit.ts";
import { SESSION_USER_SELECT, toSessionUser, type SessionUser } from "../../apps/server/src/auth/session.ts";
import { createInnerContext, type Credential, type SessionCookieWriter } from "../../apps/server/src/context.ts";
import { createDatabase, type Database } from "../../apps/server/src/db.ts";
import { loadConfig, type Config } from "../../apps/server/src/env.ts";
import { appRouter } from "../../apps/server/src/routers/_app.ts";
import { createCallerFactory } from "../../apps/server/src/trpc.ts";
import { testDatabaseUrl } from "./database-url.ts";

export const TEST_PASSWORD = "correct horse battery staple";
/** An ephemeral signing key, one per test process: no test needs a .env. */
export const TEST_JWT_PRIVATE_KEY = generateJwtPrivateKey();
export const TEST_ENCRYPTION_KEY = generateEncryptionKey();

export function createTestDatabase(options: { onQuery?: (sql: string) => void; poolMax?: number } = {}): Database {
  return createDatabase({ url: testDatabaseUrl(), poolMax: 2, ...options });
}

// Every test signs in from 127.0.0.1: generous limits, so that only the rate-limit tests, which set
// their own, are ever throttled.
const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "1000",
  RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT: "1000",
  RATE_LIMIT_PASSWORD_FAILURES_PER_IP: "100000",
  RATE_LIMIT_SIGN_UPS_PER_IP: "100000",
  RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: "1000",
  RATE_LIMIT_SECOND_FACTOR_FAILURES: "1000",
  RATE_LIMIT_MAIL_PER_ADDRESS: "1000",
  RATE_LIMIT_MAIL_PER_IP: "100000",
};

// The answers that must not reveal an account wait only this long, except in the test that checks
// their timing (http-server.email.test.ts sets the production floor): at 500 ms, a third of the
// fuzzer's time went to waiting on one procedure.
const SHORT_UNIFORM_RESPONSE_MS = "10";

export function createTestConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: testDatabaseUrl(),
    APP_ORIGIN: "http://localhost:5173",
    SESSION_CLEANUP_INTERVAL_MINUTES: "0",
    JWT_PRIVATE_KEY: TEST_JWT_PRIVATE_KEY,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...GENEROUS_RATE_LIMITS,
    UNIFORM_RESPONSE_MS: SHORT_UNIFORM_RESPONSE_MS,
    ...overrides,
  });
}

/** A clock tests move by hand (pass `clock.now` wherever a `clock` is taken): no sleeping. */
export function createTestClock(start = new Date()) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}

export function uniqueEmail(label = "user"): string {
  return `${label}-${crypto.randomUUID()}@test.latchkey.dev`;
}

// Hashing once keeps argon2 out of every test's setup time.
let passwordHash: Promise<string> | null = null;

/** A user with TEST_PASSWORD, as a session sees them; verified unless `verified: false` (like the demo users). */
export async function createTestUser(
  db: Database,
  fields: { email?: string; name?: string; role?: "user" | "admin"; verified?: boolean } = {},
): Promise<SessionUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const user = await db.user.create({
    data: {
      id: crypto.randomUUID(),
      email: fields.email ?? uniqueEmail(),
      name: fields.name ?? "Test User",
      role: fields.role ?? "user",
      passwordHash: await passwordHash,
      emailVerifiedAt: fields.verified === false ? null : new Date(),
    },
    select: SESSION_USER_SELECT,
  });
  return toSessionUser(user);
}

/**
 * The real argon2 pool of `config`, whose verifications are recorded (the hash each one was given,
 * null for an unknown user): how tests count the attempts that reached the hash, without timing.
 */
export function createCountingPasswordHasher(config: Config) {
  const verifiedHashes: Array<string | null> = [];
  const passwordHasher = createPasswordHasher(config.passwordHashing, {
    hash: hashPassword,
    verify: (hashed, password) => {
      verifiedHashes.push(hashed);
      return verifyPassword(hashed, password);
    },
  });
  return { passwordHasher, verifiedHashes };
}

/** A cookie writer that records what a procedure set, standing in for the HTTP response. */
export function createCookieRecorder() {
  const recorder = {
    token: null as string | null,
    expiresAt: null as Date | null,
    cleared: false,
  };
  const writer: SessionCookieWriter = {
    set(token, expiresAt) {
      recorder.token = token;
      recorder.expiresAt = expiresAt;
      recorder.cleared = false;
    },
    clear() {
      recorder.token = null;
      recorder.cleared = true;
    },
  };
  return { recorder, writer };
}

const createCaller = createCallerFactory(appRouter);

/**
 * A tRPC caller as a request with `credential` would get it, plus what it wrote to the cookie.
 * Pass one `rateLimiter` to several callers to let their attempts count together (the default is
 * a fresh in-memory limiter per caller), and `ip` to make them come from different addresses.
 */
export async function createTestCaller(
  deps: { db: Database; config: Config; clock?: () => Date; rateLimiter?: RateLimiter; passwordHasher?: PasswordHasher; ip?: string },
  credential: Credential | null = null,
) {
  const { recorder, writer } = createCookieRecorder();
  const {
    ip = "127.0.0.1",
    rateLimiter = createRateLimiter(deps.config.rateLimit.policy, { type: "memory" }),
    passwordHasher = createPasswordHasher(deps.config.passwordHashing),
    ...rest
  } = deps;
  const ctx = await createInnerContext({
    ...rest,
    credential,
    metadata: { userAgent: "vitest", ip },
    cookies: writer,
    rateLimiter,
    passwordHasher,
  });
  return { caller: createCaller(ctx), cookie: recorder, ctx };
}

/**
 * Signs `email` in with TEST_PASSWORD through the router: the result, and the token of the cookie
 * session it set (a second-factor-pending one when the user has a factor).
 */
export async function signInWithPassword(
  deps: { db: Database; config: Config; clock?: () => Date; rateLimiter?: RateLimiter },
  email: string,
) {
  const { caller, cookie } = await createTestCaller(deps);
  const result = await caller.auth.signIn({ email, password: TEST_PASSWORD });
  return { result, token: cookie.token! };
}
