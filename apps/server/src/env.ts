// The server's configuration: every environment variable it reads, validated once at start-up.
// Add a variable here and in .env.example together; no other file reads process.env.
import { z } from "zod";
import type { AccessTokenConfig } from "./auth/access-token.ts";
import type { OAuthConfig } from "./auth/oauth-provider.ts";
import { HIBP_RANGE_URL, type PasswordBreachCheckConfig } from "./auth/breached-password.ts";
import { parseEncryptionKey, type EncryptionKey, type EncryptionKeyRing } from "./auth/encryption.ts";
import type { PasswordHasherOptions } from "./auth/password-hasher.ts";
import type { RateLimitPolicy } from "./auth/rate-limit.ts";
import { DEFAULT_UNIFORM_RESPONSE_MS } from "./auth/response-time.ts";
import type { SessionPolicy } from "./auth/session.ts";
import { parseJwtPrivateKey, parseJwtPublicKey, type SigningKey, type VerificationKey } from "./auth/signing-key.ts";

const MINUTE_MS = 60_000;
// Long enough for a load balancer checking every second to see two failed readiness checks.
const PRODUCTION_DRAIN_DELAY_MS = 5_000;
const MINUTE_S = 60;
// An argon2id hash and a transaction take tens of milliseconds; a floor near that would let them show.
const PRODUCTION_MIN_UNIFORM_RESPONSE_MS = 200;

const boundedWholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const wholeNumber = (min: number, max: number, fallback: number) => boundedWholeNumber(min, max).default(fallback);
const YEAR_MINUTES = 366 * 24 * 60;
const minutes = (fallback: number) => wholeNumber(1, YEAR_MINUTES, fallback);
// DESIGN §4 caps access tokens at 5 minutes: the lifetime is also how long a revoked session's
// tokens keep working on procedures that do not re-check the session.
const ACCESS_TOKEN_MAX_LIFETIME_SECONDS = 300;
const ACCESS_TOKEN_MIN_LIFETIME_SECONDS = 10;

const jwtPrivateKey = z
  .string({ error: "is required: an Ed25519 private key for access tokens (`pnpm env:init` writes one into .env; see docs/tokens.md)" })
  .transform((value, ctx): SigningKey => {
    const key = parseJwtPrivateKey(value);
    if (!key) ctx.addIssue({ code: "custom", message: "must be an Ed25519 private key: PKCS#8 DER in base64url (see docs/tokens.md)" });
    return key ?? z.NEVER;
  });
const jwtPublicKeys = z
  .string()
  .default("")
  .transform((value, ctx): VerificationKey[] => {
    const keys: VerificationKey[] = [];
    for (const entry of value.split(",").map((item) => item.trim()).filter(Boolean)) {
      const key = parseJwtPublicKey(entry);
      if (key) keys.push(key);
      else ctx.addIssue({ code: "custom", message: `entry "${entry}" must be the "x" of an Ed25519 JWK (43 base64url characters)` });
    }
    return keys;
  });

const encryptionKey = z
  .string({ error: "is required: 32 random bytes in base64url that encrypt TOTP keys (`pnpm env:init` writes one into .env)" })
  .transform((value, ctx): EncryptionKey => {
    const key = parseEncryptionKey(value);
    if (!key) ctx.addIssue({ code: "custom", message: "must be 32 bytes in base64url (openssl rand -base64 32)" });
    return key ?? z.NEVER;
  });
const previousEncryptionKeys = z
  .string()
  .default("")
  .transform((value, ctx): EncryptionKey[] =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)
      .flatMap((entry, index) => {
        const key = parseEncryptionKey(entry);
        if (!key) ctx.addIssue({ code: "custom", message: `entry ${index + 1} must be 32 bytes in base64url` });
        return key ? [key] : [];
      }),
  );

const count = (fallback: number) => wholeNumber(1, 1_000_000, fallback);
// NIST 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account.
const NIST_MAX_CONSECUTIVE_FAILURES = 100;

const postgresUrl = z
  .string({ error: "is required (a postgresql:// URL)" })
  .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL");

// An empty value counts as unset, as .env files often leave them.
const optionalText = z.string().optional().transform((value) => value || undefined);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: wholeNumber(1, 100, 4),
  DATABASE_NAMED_STATEMENTS: z.enum(["true", "false"], { error: "must be true or false" }).default("true"),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000, 5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(100, 600_000, 10_000),
  // Unset: 5 s in production (behind a load balancer), none elsewhere (a restart in `pnpm dev`).
  SHUTDOWN_DRAIN_DELAY_MS: boundedWholeNumber(0, 120_000).optional(),
  SHUTDOWN_TIMEOUT_MS: wholeNumber(0, 600_000, 20_000),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: wholeNumber(0, 65_535, 3000),
  APP_ORIGIN: z.url({ protocol: /^https?$/, error: "must be an http(s) origin such as http://localhost:5173" }).default("http://localhost:5173"),
  TRUSTED_ORIGINS: z.string().default(""),
  SESSION_IDLE_TIMEOUT_MINUTES: minutes(7 * 24 * 60),
  SESSION_ABSOLUTE_LIFETIME_MINUTES: minutes(30 * 24 * 60),
  SESSION_RENEWAL_INTERVAL_MINUTES: minutes(60),
  SESSION_CLEANUP_INTERVAL_MINUTES: wholeNumber(0, YEAR_MINUTES, 60),
  SESSION_CACHE: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
  SESSION_CACHE_TTL_SECONDS: wholeNumber(1, 60, 5),
  SESSION_CACHE_MAX_ENTRIES: wholeNumber(1, 1_000_000, 10_000),
  WEB_DIST_DIR: z.string().optional(),
  // HTTPS served by the API itself (local testing: `pnpm cert`); production usually terminates TLS in a proxy.
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  REAUTHENTICATION_WINDOW_MINUTES: wholeNumber(1, 24 * 60, 10),
  TRUST_PROXY: wholeNumber(0, 10, 0),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  RATE_LIMIT_STORE: z.enum(["memory", "postgres", "redis"], { error: "must be memory, postgres or redis" }).optional(),
  RATE_LIMIT_KEY_PREFIX: z.string().regex(/^[\w.-]{1,64}$/, "must be 1 to 64 letters, digits, _ . or -").default("latchkey"),
  RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: count(10),
  RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT: count(NIST_MAX_CONSECUTIVE_FAILURES),
  RATE_LIMIT_PASSWORD_FAILURES_PER_IP: count(100),
  RATE_LIMIT_PASSWORD_BLOCK_MINUTES: wholeNumber(1, 24 * 60, 15),
  RATE_LIMIT_SIGN_UPS_PER_IP: count(10),
  RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: count(10),
  RATE_LIMIT_SECOND_FACTOR_FAILURES: count(5),
  APP_NAME: z.string().trim().min(1).max(64).default("latchkey"),
  ENCRYPTION_KEY: encryptionKey,
  ENCRYPTION_PREVIOUS_KEYS: previousEncryptionKeys,
  RATE_LIMIT_MAIL_PER_ADDRESS: count(5),
  RATE_LIMIT_MAIL_PER_IP: count(30),
  EMAIL_VERIFICATION: z.enum(["required", "optional", "off"], { error: "must be required, optional or off" }).default("required"),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).default("latchkey <no-reply@localhost>"),
  MAIL_OUTBOX_POLL_SECONDS: wholeNumber(1, 3_600, 1),
  // Calls in one batched tRPC request (`/trpc/a,b?batch=1`); more is refused with 400.
  TRPC_MAX_BATCH_SIZE: wholeNumber(1, 100, 10),
  PASSWORD_HASH_CONCURRENCY: wholeNumber(1, 64, 2),
  PASSWORD_HASH_QUEUE: wholeNumber(0, 10_000, 64),
  // Answers that must not tell whether an address has an account wait until this much time has passed.
  UNIFORM_RESPONSE_MS: wholeNumber(0, 10_000, DEFAULT_UNIFORM_RESPONSE_MS),
  PASSWORD_BREACH_CHECK: z.enum(["off", "hibp"], { error: "must be off or hibp" }).default("off"),
  PASSWORD_BREACH_CHECK_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default(HIBP_RANGE_URL),
  PASSWORD_BREACH_CHECK_TIMEOUT_MS: wholeNumber(100, 30_000, 2_000),
  JWT_PRIVATE_KEY: jwtPrivateKey,
  JWT_EXTRA_PUBLIC_KEYS: jwtPublicKeys,
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).default("latchkey-api"),
  ACCESS_TOKEN_TTL_SECONDS: wholeNumber(ACCESS_TOKEN_MIN_LIFETIME_SECONDS, ACCESS_TOKEN_MAX_LIFETIME_SECONDS, ACCESS_TOKEN_MAX_LIFETIME_SECONDS),
  // Sign-in providers (docs/decisions/016-oauth-sign-in.md): a provider is on when its block is set.
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be the provider's issuer URL" }).optional(),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_NAME: z.string().trim().min(1).max(40).default("OpenID Connect"),
  OAUTH_AUTO_LINK: z.enum(["never", "verified-email"], { error: "must be never or verified-email" }).default("never"),
});

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** The providers' blocks, each all set or all unset; problems are added to `problems`. */
function readOAuthConfig(env: z.infer<typeof envSchema>, problems: string[]): OAuthConfig {
  const client = (prefix: string, id: string | undefined, secret: string | undefined) => {
    if (id === undefined && secret === undefined) return null;
    if (id === undefined || secret === undefined) problems.push(`${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET must be set together`);
    return id && secret ? { clientId: id, clientSecret: secret } : null;
  };
  const oidcClient = client("OIDC", env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET);
  if ((oidcClient === null) !== (env.OIDC_ISSUER === undefined)) problems.push("OIDC_ISSUER must be set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET");
  // Plain HTTP would let anyone on the path forge the provider's keys; only loopback is exempt.
  if (env.OIDC_ISSUER?.startsWith("http:") && !LOOPBACK_HOSTS.has(new URL(env.OIDC_ISSUER).hostname)) {
    problems.push("OIDC_ISSUER must be https:// (plain http only on loopback, for local development)");
  }
  return {
    autoLink: env.OAUTH_AUTO_LINK,
    github: client("GITHUB", env.GITHUB_CLIENT_ID, env.GITHUB_CLIENT_SECRET),
    google: client("GOOGLE", env.GOOGLE_CLIENT_ID, env.GOOGLE_CLIENT_SECRET),
    oidc: oidcClient && env.OIDC_ISSUER ? { ...oidcClient, issuer: env.OIDC_ISSUER, name: env.OIDC_NAME } : null,
  };
}

export interface Config {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string;
  databasePoolMax: number;
  /** The per-request session lookup as a named prepared statement; false behind PgBouncer in transaction mode. */
  databaseNamedStatements: boolean;
  /** Opening a database connection, or waiting for a free one in the pool. */
  databaseConnectTimeoutMs: number;
  /** PostgreSQL's statement_timeout; the client also gives up on a silent server shortly after. */
  databaseStatementTimeoutMs: number;
  /** SIGTERM: how long to keep serving while answering not-ready, then how long in-flight requests get (shutdown.ts). */
  shutdown: { drainDelayMs: number; timeoutMs: number };
  host: string;
  port: number;
  /** Where users load the app from; its scheme decides Secure/`__Host-` cookies. */
  appOrigin: string;
  /** Origins allowed to send state-changing requests with the session cookie (CSRF). */
  allowedOrigins: ReadonlySet<string>;
  secureCookies: boolean;
  session: SessionPolicy;
  /**
   * Validated sessions kept in memory for at most `ttlMs`, dropped on every instance by
   * LISTEN/NOTIFY when their row changes; null when SESSION_CACHE=off.
   */
  sessionCache: { ttlMs: number; maxEntries: number } | null;
  /** 0 turns the expired-session cleanup timer off. */
  cleanupIntervalMs: number;
  /** Built web app served by the API in production (same origin, first-party cookies). */
  webDistDir: string | null;
  /** PEM files when the API serves HTTPS itself; null for plain HTTP (behind a TLS proxy, or local). */
  tls: { certFile: string; keyFile: string } | null;
  /** JWT access tokens: signing key, published keys, iss/aud and lifetime (docs/tokens.md). */
  accessToken: AccessTokenConfig;
  /** Sensitive operations need a password check on the session within this long ("sudo mode"). */
  reauthenticationWindowMs: number;
  /** Shown in authenticator apps (TOTP issuer) and passkey prompts (WebAuthn relying party name). */
  appName: string;
  /** Encrypts TOTP keys at rest; previous keys still decrypt during a rotation. */
  encryptionKeys: EncryptionKeyRing;
  /** WebAuthn relying party: its ID is APP_ORIGIN's host; only APP_ORIGIN may answer challenges. */
  webAuthn: { rpId: string; origins: string[] };
  /** Reverse proxies in front that append to X-Forwarded-For; 0 takes the socket's address. */
  trustedProxyHops: number;
  /** Mail sent to users (verification, password reset, email change) and whether a verified address is needed. */
  email: EmailConfig;
  /** Most calls one batched tRPC request may carry (a larger batch is refused with 400). */
  trpcMaxBatchSize: number;
  /** argon2 work per process: hashes at once, and how many may wait before 503 (auth/password-hasher.ts). */
  passwordHashing: PasswordHasherOptions;
  /**
   * Sign-up, password reset request and verification resend answer no sooner than this, whether or
   * not the address has an account (auth/response-time.ts).
   */
  uniformResponseMs: number;
  /** Have I Been Pwned's range API for new passwords (PASSWORD_BREACH_CHECK=hibp), or null (off). */
  passwordBreachCheck: PasswordBreachCheckConfig | null;
  /** Sign-in providers and the linking policy. */
  oauth: OAuthConfig;
  /** Limits, and where their counters live (memory, or shared by every instance). */
  rateLimit: {
    policy: RateLimitPolicy;
    store: "memory" | "postgres" | "redis";
    redisUrl: string | null;
    /** Namespaces the keys in a shared store (several apps or test runs on one Redis). */
    keyPrefix: string;
  };
}

/**
 * `required`: an unverified user can sign in but only verify (verifiedProcedure refuses the rest);
 * `optional`: everything works and the app shows a banner; `off`: no gate and no banner. Every mode
 * mails sign-ups, resets and email changes.
 */
export type EmailVerificationMode = "required" | "optional" | "off";

export interface EmailConfig {
  verification: EmailVerificationMode;
  /** nodemailer's SMTP URL; null outside production leaves mail waiting in the outbox. */
  smtpUrl: string | null;
  from: string;
  /** How often the outbox worker looks for due mail. */
  outboxPollMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
}

/** For entry points (the server, the seed): the configuration, or every problem printed and exit 1. */
export function requireConfig(source: Record<string, string | undefined>): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** Parses an environment (process.env in index.ts, a literal in tests); lists every bad variable at once. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  // Empty strings in .env mean "unset", as they do for most tools.
  const defined = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  const env = parsed.data;
  const session: SessionPolicy = {
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT_MINUTES * MINUTE_MS,
    absoluteLifetimeMs: env.SESSION_ABSOLUTE_LIFETIME_MINUTES * MINUTE_MS,
    renewalIntervalMs: env.SESSION_RENEWAL_INTERVAL_MINUTES * MINUTE_MS,
  };
  const problems: string[] = [];
  if (session.idleTimeoutMs > session.absoluteLifetimeMs) {
    problems.push("SESSION_IDLE_TIMEOUT_MINUTES must not exceed SESSION_ABSOLUTE_LIFETIME_MINUTES");
  }
  if (session.renewalIntervalMs >= session.idleTimeoutMs) {
    problems.push("SESSION_RENEWAL_INTERVAL_MINUTES must be shorter than SESSION_IDLE_TIMEOUT_MINUTES");
  }
  const appOrigin = new URL(env.APP_ORIGIN).origin;
  const trusted = env.TRUSTED_ORIGINS.split(",").map((value) => value.trim()).filter(Boolean);
  for (const origin of trusted) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push(`TRUSTED_ORIGINS entry "${origin}" must be an origin such as https://app.example.com`);
    }
  }
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
    problems.push("TLS_CERT_FILE and TLS_KEY_FILE must be set together");
  } else if (env.TLS_CERT_FILE !== undefined && !appOrigin.startsWith("https:")) {
    problems.push("APP_ORIGIN must be an https:// origin when the API serves HTTPS (TLS_CERT_FILE is set)");
  }
  const rateLimitStore = env.RATE_LIMIT_STORE ?? (env.REDIS_URL ? "redis" : "memory");
  if (rateLimitStore === "redis" && !env.REDIS_URL) problems.push("RATE_LIMIT_STORE=redis needs REDIS_URL");
  const oauth = readOAuthConfig(env, problems);
  if (env.NODE_ENV === "production" && env.UNIFORM_RESPONSE_MS < PRODUCTION_MIN_UNIFORM_RESPONSE_MS) {
    problems.push(`UNIFORM_RESPONSE_MS must be at least ${PRODUCTION_MIN_UNIFORM_RESPONSE_MS} in production: below an argon2 hash, answer times tell which addresses have accounts`);
  }
  // Sign-up, password reset and email change work only by mail: without a mail server nobody
  // could ever verify or recover an account.
  if (env.NODE_ENV === "production" && !env.SMTP_URL) {
    problems.push("SMTP_URL is required in production: sign-up verification, password reset and email change send mail");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // The signing key comes first; an extra key equal to it (mid-rotation) is published once.
  const verificationKeys = [env.JWT_PRIVATE_KEY, ...env.JWT_EXTRA_PUBLIC_KEYS].filter(
    (key, index, all) => all.findIndex((other) => other.kid === key.kid) === index,
  );

  return {
    nodeEnv: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseNamedStatements: env.DATABASE_NAMED_STATEMENTS === "true",
    databaseConnectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    shutdown: {
      drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS ?? (env.NODE_ENV === "production" ? PRODUCTION_DRAIN_DELAY_MS : 0),
      timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    host: env.HOST,
    port: env.PORT,
    appOrigin,
    allowedOrigins: new Set([appOrigin, ...trusted]),
    secureCookies: appOrigin.startsWith("https:"),
    session,
    sessionCache:
      env.SESSION_CACHE === "on" ? { ttlMs: env.SESSION_CACHE_TTL_SECONDS * 1000, maxEntries: env.SESSION_CACHE_MAX_ENTRIES } : null,
    cleanupIntervalMs: env.SESSION_CLEANUP_INTERVAL_MINUTES * MINUTE_MS,
    webDistDir: env.WEB_DIST_DIR ?? null,
    tls: env.TLS_CERT_FILE && env.TLS_KEY_FILE ? { certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE } : null,
    accessToken: {
      signingKey: env.JWT_PRIVATE_KEY,
      verificationKeys,
      issuer: env.JWT_ISSUER ?? appOrigin,
      audience: env.JWT_AUDIENCE,
      lifetimeSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    },
    reauthenticationWindowMs: env.REAUTHENTICATION_WINDOW_MINUTES * MINUTE_MS,
    appName: env.APP_NAME,
    encryptionKeys: { current: env.ENCRYPTION_KEY, previous: env.ENCRYPTION_PREVIOUS_KEYS },
    webAuthn: { rpId: new URL(appOrigin).hostname, origins: [appOrigin] },
    trustedProxyHops: env.TRUST_PROXY,
    email: {
      verification: env.EMAIL_VERIFICATION,
      smtpUrl: env.SMTP_URL ?? null,
      from: env.MAIL_FROM,
      outboxPollMs: env.MAIL_OUTBOX_POLL_SECONDS * 1_000,
    },
    trpcMaxBatchSize: env.TRPC_MAX_BATCH_SIZE,
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, queueLimit: env.PASSWORD_HASH_QUEUE },
    uniformResponseMs: env.UNIFORM_RESPONSE_MS,
    passwordBreachCheck:
      env.PASSWORD_BREACH_CHECK === "hibp" ? { rangeUrl: env.PASSWORD_BREACH_CHECK_URL, timeoutMs: env.PASSWORD_BREACH_CHECK_TIMEOUT_MS } : null,
    oauth,
    rateLimit: {
      policy: {
        passwordFailuresPerAccountAndIp: env.RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP,
        passwordFailuresPerAccount: env.RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT,
        passwordFailuresPerIp: env.RATE_LIMIT_PASSWORD_FAILURES_PER_IP,
        passwordBlockSeconds: env.RATE_LIMIT_PASSWORD_BLOCK_MINUTES * MINUTE_S,
        signUpsPerIpPerHour: env.RATE_LIMIT_SIGN_UPS_PER_IP,
        accessTokensPerSessionPerMinute: env.RATE_LIMIT_ACCESS_TOKENS_PER_SESSION,
        secondFactorFailuresPerAccount: env.RATE_LIMIT_SECOND_FACTOR_FAILURES,
        mailPerAddressPerHour: env.RATE_LIMIT_MAIL_PER_ADDRESS,
        mailPerIpPerHour: env.RATE_LIMIT_MAIL_PER_IP,
      },
      store: rateLimitStore,
      redisUrl: env.REDIS_URL ?? null,
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX,
    },
  };
}
