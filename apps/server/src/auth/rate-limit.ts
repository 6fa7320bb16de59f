// Rate limits and throttling (DESIGN §5) with rate-limiter-flexible: password failures per IP, per
// account and per account + IP (back-off, reset on success), sign-ups per IP, access tokens per
// session. Counters live in memory, or in PostgreSQL or Redis when several instances share them
// (docs/decisions/007-rate-limiting.md).
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
 * A password check under way: refused before the password is verified while a failure counter is
 * over its limit, else the outcome is reported once verified.
 */
export type PasswordAttemptGate =
  | { limited: true; retryAfterSeconds: number }
  | {
      limited: false;
      /** A wrong password: counted everywhere; the failure that crosses a limit starts a block. */
      recordFailure(): Promise<RateLimitVerdict>;
      /** The right password: the account's consecutive-failure counters start again. */
      recordSuccess(): Promise<void>;
    };

export interface RateLimiter {
  /** Reads the password-failure counters for this account and IP (no write). */
  beginPasswordAttempt(attempt: PasswordAttempt): Promise<PasswordAttemptGate>;
  consumeSignUp(ip: string | null): Promise<RateLimitVerdict>;
  consumeAccessTokenIssue(sessionId: string): Promise<RateLimitVerdict>;
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
 * rate-limiter-flexible's "login endpoint protection" pattern: read the counters first (cheap), and
 * write only on a failure, so a blocked client costs no password hash and no write. Unlike the
 * pattern, unknown emails are counted like real ones: otherwise only real accounts would ever be
 * blocked, which tells an attacker which emails exist.
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
  const mailByAddress = createLimiter(store, "mail-address", { points: policy.mailPerAddressPerHour, duration: MAIL_WINDOW_S });
  const mailByIp = createLimiter(store, "mail-ip", { points: policy.mailPerIpPerHour, duration: MAIL_WINDOW_S });

  const keysOf = ({ email, ip }: PasswordAttempt) => {
    const account = hashEmail(email);
    const ipKey = getIpRateLimitKey(ip);
    return [
      [failuresByAccountAndIp, `${account}_${ipKey}`],
      [failuresByAccount, account],
      [failuresByIp, ipKey],
    ] as const;
  };

  return {
    async beginPasswordAttempt(attempt) {
      const counters = await Promise.all(
        keysOf(attempt).map(async ([limiter, key]) => ({ limiter, key, res: await limiter.get(key) })),
      );
      const verdict = toVerdict(
        counters.filter(({ limiter, res }) => res !== null && res.consumedPoints > limiter.points).map(({ res }) => res!.msBeforeNext),
      );
      if (verdict.limited) return verdict;
      return {
        limited: false,
        async recordFailure() {
          const results = await Promise.allSettled(counters.map(({ limiter, key }) => limiter.consume(key)));
          return toVerdict(results.map(readRejection).filter((ms) => ms !== null));
        },
        async recordSuccess() {
          // The per-IP budget is not reset: an account the attacker owns would otherwise refill it.
          // Counters that were empty are not written to (most sign-ins follow no failure).
          const consecutive = counters.filter(({ limiter, res }) => limiter !== failuresByIp && res !== null);
          await Promise.all(consecutive.map(({ limiter, key }) => limiter.delete(key)));
        },
      };
    },
    consumeSignUp: (ip) => consume(signUpsByIp, getIpRateLimitKey(ip)),
    consumeAccessTokenIssue: (sessionId) => consume(accessTokensBySession, sessionId),
    async consumeMailRequest(email, ip) {
      const verdicts = await Promise.all([consume(mailByIp, getIpRateLimitKey(ip)), consume(mailByAddress, hashEmail(email))]);
      return verdicts.find((verdict) => verdict.limited) ?? NOT_LIMITED;
    },
  };
}
