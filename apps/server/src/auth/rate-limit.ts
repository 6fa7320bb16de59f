// Rate limits and throttling (DESIGN §5) with rate-limiter-flexible: password attempts per IP, per
// account and per account + IP (counted before the check, reset on success), sign-ups per IP,
// access tokens per session. Counters live in memory, or in PostgreSQL or Redis when several
// instances share them (docs/decisions/007-rate-limiting.md, 012-count-first-secret-checks.md).
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

const MINUTE_S = 60;
const HOUR_S = 60 * MINUTE_S;
const DAY_S = 24 * HOUR_S;
// Consecutive failures are remembered this long after the first one (or until a success). The
// memory store keeps at most ~24 days (setTimeout), so this stays well below.
const CONSECUTIVE_FAILURES_WINDOW_S = 7 * DAY_S;
// Failures from one IP address, whatever the account: a day's budget, then blocked for a day.
const IP_FAILURES_WINDOW_S = DAY_S;
const SIGN_UP_WINDOW_S = HOUR_S;
const ACCESS_TOKEN_WINDOW_S = MINUTE_S;
const MAIL_WINDOW_S = HOUR_S;
// The table created by prisma/migrations/*_rate_limit_table (prisma/schema.prisma: RateLimit).
const POSTGRES_TABLE = "rate_limit";

export interface RateLimitPolicy {
  /** Consecutive wrong passwords for one account from one IP before it is blocked there. */
  passwordFailuresPerAccountAndIp: number;
  /** Consecutive wrong passwords for one account from anywhere before it is blocked (NIST 800-63B: ≤ 100). */
  passwordFailuresPerAccount: number;
  /** Wrong passwords from one IP per day, any account (never reset by a success). */
  passwordFailuresPerIp: number;
  /** How long an account (from an IP, or everywhere) stays blocked once a consecutive limit trips. */
  passwordBlockSeconds: number;
  signUpsPerIpPerHour: number;
  accessTokensPerSessionPerMinute: number;
  /** Consecutive failed second-factor checks (TOTP, recovery code, passkey) for one account before it is blocked. */
  secondFactorFailuresPerAccount: number;
  /** Mail a visitor can cause to one address per hour (verification resends, password resets). */
  mailPerAddressPerHour: number;
  /** Such requests from one IP per hour, whatever the address. */
  mailPerIpPerHour: number;
}

/** Where the counters live: this process, or a store every instance of the API shares. */
export type RateLimitStore =
  | { type: "memory" }
  | { type: "postgres"; pool: Pool; keyPrefix: string }
  | { type: "redis"; client: Redis; keyPrefix: string };

export type RateLimitVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

/** A password check: the account's email (as normalised for sign-in) and the client's IP. */
export interface PasswordAttempt {
  email: string;
  ip: string | null;
}

/**
 * A secret check (password, and later codes) that has already consumed one attempt from every
 * limiter that applies: refused before the check when any of them is over its limit, else the check
 * runs and reports how it went. A failure needs no report: it was counted before the check.
 */
export type SecretAttempt =
  | { limited: true; retryAfterSeconds: number }
  | {
      limited: false;
      /** The secret was right: each counter applies its success policy (reset, or give the point back). */
      succeed(): Promise<void>;
      /** The check never ran (the hashing pool was full): every point consumed is given back. */
      refund(): Promise<void>;
    };

/**
 * One limiter an attempt counts against, under `key`. On success a consecutive-failure counter is
 * reset; a budget counter (failures per IP) only gets this attempt's point back, so an account
 * the attacker owns cannot refill it.
 */
export interface SecretAttemptCounter {
  limiter: RateLimiterAbstract;
  key: string;
  onSuccess: "reset" | "refund";
}

export interface RateLimiter {
  /** Counts a password check for this account and IP before the password is verified. */
  consumePasswordAttempt(attempt: PasswordAttempt): Promise<SecretAttempt>;
  consumeSignUp(ip: string | null): Promise<RateLimitVerdict>;
  consumeAccessTokenIssue(sessionId: string): Promise<RateLimitVerdict>;
  /** Counts a second-factor check (TOTP, recovery code, passkey) for the account before it runs. */
  consumeSecondFactorAttempt(userId: string): Promise<SecretAttempt>;
  /** A request that mails `email` (known or not, so the verdict reveals nothing): per address and per IP. */
  consumeMailRequest(email: string, ip: string | null): Promise<RateLimitVerdict>;
}

const NOT_LIMITED: RateLimitVerdict = { limited: false };

function toRetryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/**
 * IPv6 clients usually hold a whole /64, so an IPv6 address counts by its /64 prefix; IPv4 and
 * unknown addresses count as they are.
 */
export function getIpRateLimitKey(ip: string | null): string {
  if (!ip) return "unknown";
  if (isIP(ip) !== 6) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = ip.includes("::") ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  return `${groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16)).join(":")}::/64`;
}

// Emails are hashed: keys stay short (the store's key is bounded) and the store holds no addresses.
function hashEmail(email: string): string {
  return createHash("sha256").update(email).digest("base64url");
}

function createLimiter(
  store: RateLimitStore,
  name: string,
  options: IRateLimiterOptions,
  { deletesExpiredRows = false } = {},
): RateLimiterAbstract {
  if (store.type === "memory") return new RateLimiterMemory({ ...options, keyPrefix: name });
  const keyPrefix = `${store.keyPrefix}:${name}`;
  // If the shared store fails, each instance goes on counting in its own memory rather than
  // letting every attempt through or refusing every sign-in.
  const insuranceLimiter = new RateLimiterMemory({ ...options, keyPrefix });
  if (store.type === "redis") {
    return new RateLimiterRedis({ ...options, keyPrefix, storeClient: store.client, insuranceLimiter, rejectIfRedisNotReady: true });
  }
  return new RateLimiterPostgres({
    ...options,
    keyPrefix,
    // The library names its prepared statements. The embedded database (PGlite) runs every
    // connection in one backend session, where a second connection preparing the same name fails;
    // unnamed statements work on it and on PostgreSQL alike.
    storeClient: { query: ({ text, values }: { text: string; values?: unknown[] }) => store.pool.query(text, values) },
    storeType: "pool",
    tableName: POSTGRES_TABLE,
    // The table is created by a Prisma migration, not by the library at start-up.
    tableCreated: true,
    // One limiter deletes long-expired rows for all of them (they share the table).
    clearExpiredByTimeout: deletesExpiredRows,
    insuranceLimiter,
  });
}

/** A limit that is over: its retry time. Store errors (with no insurance left) are rethrown. */
function readRejection(result: PromiseSettledResult<unknown>): number | null {
  if (result.status === "fulfilled") return null;
  if (result.reason instanceof RateLimiterRes) return result.reason.msBeforeNext;
  throw result.reason;
}

function toVerdict(msBeforeNext: number[]): RateLimitVerdict {
  return msBeforeNext.length === 0 ? NOT_LIMITED : { limited: true, retryAfterSeconds: toRetryAfterSeconds(Math.max(...msBeforeNext)) };
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimitVerdict> {
  const [result] = await Promise.allSettled([limiter.consume(key)]);
  const msBeforeNext = readRejection(result!);
  return toVerdict(msBeforeNext === null ? [] : [msBeforeNext]);
}

/**
 * Count first, then check (docs/decisions/012-count-first-secret-checks.md): consumes one point
 * from every counter, atomically in each store, before the caller looks at the secret. Parallel
 * requests and batched calls each take their own point, so at most `points` attempts per counter
 * ever reach the check, whatever their timing. Store errors (with no insurance left) are rethrown.
 */
export async function consumeSecretAttempt(counters: readonly SecretAttemptCounter[]): Promise<SecretAttempt> {
  const results = await Promise.allSettled(counters.map(({ limiter, key }) => limiter.consume(key)));
  const verdict = toVerdict(results.map(readRejection).filter((ms) => ms !== null));
  if (verdict.limited) return verdict;
  return {
    limited: false,
    async succeed() {
      await Promise.all(
        counters.map(({ limiter, key, onSuccess }) => (onSuccess === "reset" ? limiter.delete(key) : limiter.reward(key, 1))),
      );
    },
    async refund() {
      await Promise.all(counters.map(({ limiter, key }) => limiter.reward(key, 1)));
    },
  };
}

/**
 * Unlike rate-limiter-flexible's login example, unknown emails are counted like real ones:
 * otherwise only real accounts would ever be blocked, which tells an attacker which emails exist.
 */
export function createRateLimiter(policy: RateLimitPolicy, store: RateLimitStore): RateLimiter {
  const failuresByAccountAndIp = createLimiter(store, "password-failures-account-ip", {
    points: policy.passwordFailuresPerAccountAndIp,
    duration: CONSECUTIVE_FAILURES_WINDOW_S,
    blockDuration: policy.passwordBlockSeconds,
  });
  const failuresByAccount = createLimiter(store, "password-failures-account", {
    points: policy.passwordFailuresPerAccount,
    duration: CONSECUTIVE_FAILURES_WINDOW_S,
    blockDuration: policy.passwordBlockSeconds,
  });
  const failuresByIp = createLimiter(
    store,
    "password-failures-ip",
    { points: policy.passwordFailuresPerIp, duration: IP_FAILURES_WINDOW_S, blockDuration: IP_FAILURES_WINDOW_S },
    { deletesExpiredRows: true },
  );
  const signUpsByIp = createLimiter(store, "sign-ups-ip", { points: policy.signUpsPerIpPerHour, duration: SIGN_UP_WINDOW_S });
  const accessTokensBySession = createLimiter(store, "access-tokens-session", {
    points: policy.accessTokensPerSessionPerMinute,
    duration: ACCESS_TOKEN_WINDOW_S,
  });
  const secondFactorFailuresByAccount = createLimiter(store, "second-factor-failures-account", {
    points: policy.secondFactorFailuresPerAccount,
    duration: CONSECUTIVE_FAILURES_WINDOW_S,
    blockDuration: policy.passwordBlockSeconds,
  });
  const mailByAddress = createLimiter(store, "mail-address", { points: policy.mailPerAddressPerHour, duration: MAIL_WINDOW_S });
  const mailByIp = createLimiter(store, "mail-ip", { points: policy.mailPerIpPerHour, duration: MAIL_WINDOW_S });

  return {
    consumePasswordAttempt({ email, ip }) {
      const account = hashEmail(email);
      const ipKey = getIpRateLimitKey(ip);
      return consumeSecretAttempt([
        { limiter: failuresByAccountAndIp, key: `${account}_${ipKey}`, onSuccess: "reset" },
        { limiter: failuresByAccount, key: account, onSuccess: "reset" },
        { limiter: failuresByIp, key: ipKey, onSuccess: "refund" },
      ]);
    },
    consumeSignUp: (ip) => consume(signUpsByIp, getIpRateLimitKey(ip)),
    consumeAccessTokenIssue: (sessionId) => consume(accessTokensBySession, sessionId),
    consumeSecondFactorAttempt: (userId) =>
      consumeSecretAttempt([{ limiter: secondFactorFailuresByAccount, key: userId, onSuccess: "reset" }]),
    async consumeMailRequest(email, ip) {
      const verdicts = await Promise.all([consume(mailByIp, getIpRateLimitKey(ip)), consume(mailByAddress, hashEmail(email))]);
      return verdicts.find((verdict) => verdict.limited) ?? NOT_LIMITED;
    },
  };
}
