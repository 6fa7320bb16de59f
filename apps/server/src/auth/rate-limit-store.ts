// Opens and closes the connection of the shared rate-limit store that RATE_LIMIT_STORE names:
// a small pg pool on the app's database, or an ioredis client. The memory store needs neither.
import { Redis } from "ioredis";
import pg from "pg";
import type { Config } from "../env.ts";
import type { RateLimitStore } from "./rate-limit.ts";

// Each limiter call is one statement; two connections keep them off the app's Prisma pool.
const POSTGRES_POOL_MAX = 2;

export interface RateLimitStoreConnection {
  store: RateLimitStore;
  close(): Promise<void>;
}

/**
 * Connects to the configured store, failing if it cannot be reached now. Once running, a store that
 * goes away is covered by each limiter's in-memory insurance until it is back.
 */
export async function connectRateLimitStore(
  config: Pick<Config, "databaseUrl" | "rateLimit">,
  options: { onError?: (error: Error) => void } = {},
): Promise<RateLimitStoreConnection> {
  const { store, redisUrl, keyPrefix } = config.rateLimit;
  if (store === "memory") return { store: { type: "memory" }, close: async () => {} };

  if (store === "postgres") {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: POSTGRES_POOL_MAX });
    pool.on("error", (error) => options.onError?.(error));
    await pool.query("SELECT 1 FROM rate_limit LIMIT 1").catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
    return { store: { type: "postgres", pool, keyPrefix }, close: () => pool.end() };
  }

  if (!redisUrl) throw new Error("RATE_LIMIT_STORE=redis needs REDIS_URL");
  // No offline queue: while Redis is unreachable a command fails at once and the insurance
  // limiter answers, instead of sign-ins waiting for a reconnect (rate-limiter-flexible's advice).
  const client = new Redis(redisUrl, { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on("error", (error: Error) => options.onError?.(error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return {
    store: { type: "redis", client, keyPrefix },
    close: async () => {
      await client.quit();
    },
  };
}
