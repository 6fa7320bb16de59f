// Opens and closes the connection of the shared rate-limit store that RATE_LIMIT_STORE names:
// a small pg pool on the app's database, or an ioredis client. The memory store needs neither.
// While a shared store is down, each instance counts in its own memory (the insurance limiters of
// rate-limit.ts) and says so once per outage (docs/decisions/026-redis-outage.md).
import type { Redis } from "ioredis";
import pg from "pg";
import type { Config } from "../env.ts";
import type { RateLimitStore } from "./rate-limit.ts";

// Each limiter call is one statement; two connections keep them off the app's Prisma pool.
const POSTGRES_POOL_MAX = 2;
// A Redis that accepts commands but does not answer (a stalled network) must not hold sign-ins:
// after this long the command fails and the insurance limiter counts instead.
const REDIS_COMMAND_TIMEOUT_MS = 500;

export interface RateLimitStoreConnection {
  store: RateLimitStore;
  close(): Promise<void>;
}

/**
 * One line when the store fails and one when it is back, however many errors come in between
 * (ioredis reports every reconnection attempt).
 */
function createOutageLog(store: string, log: (message: string) => void) {
  let down = false;
  return {
    failed(error: Error) {
      if (down) return;
      down = true;
      log(`rate-limit store (${store}) unavailable (${error.message}): each instance counts in its own memory until it is back`);
    },
    recovered() {
      if (!down) return;
      down = false;
      log(`rate-limit store (${store}) is back: counting in it again`);
    },
  };
}

/**
 * Connects to the configured store, failing if it cannot be reached now. Once running, a store that
 * goes away is covered by each limiter's in-memory insurance until it is back.
 */
export async function connectRateLimitStore(
  config: Pick<Config, "databaseUrl" | "rateLimit">,
  options: { log?: (message: string) => void } = {},
): Promise<RateLimitStoreConnection> {
  const { store, redisUrl, keyPrefix } = config.rateLimit;
  if (store === "memory") return { store: { type: "memory" }, close: async () => {} };
  const outage = createOutageLog(store, options.log ?? console.error);

  if (store === "postgres") {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: POSTGRES_POOL_MAX });
    pool.on("error", (error) => outage.failed(error));
    pool.on("connect", () => outage.recovered());
    await pool.query("SELECT 1 FROM rate_limit LIMIT 1").catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
    return { store: { type: "postgres", pool, keyPrefix }, close: () => pool.end() };
  }

  if (!redisUrl) throw new Error("RATE_LIMIT_STORE=redis needs REDIS_URL");
  // Loaded only for this store: ioredis holds ~8 MiB of heap (docs/decisions/034-server-memory-under-load.md).
  const { Redis: RedisClient } = await import("ioredis");
  // No offline queue: while Redis is unreachable a command fails at once and the insurance
  // limiter answers, instead of sign-ins waiting for a reconnect (rate-limiter-flexible's advice).
  const client: Redis = new RedisClient(redisUrl, {
    enableOfflineQueue: false,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  client.on("error", (error: Error) => outage.failed(error));
  client.on("ready", () => outage.recovered());
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  // From now on: the start-up handshake (its ready check is a command too) may take longer on a
  // busy machine than a sign-in may wait, and an instance that gave up there would not start at
  // all (seen in the rolling-restart test). ioredis reads the option for every command it sends.
  client.options.commandTimeout = REDIS_COMMAND_TIMEOUT_MS;
  return {
    store: { type: "redis", client, keyPrefix },
    close: async () => {
      // QUIT lets a reachable Redis finish politely; an unreachable one just loses the socket.
      await Promise.resolve()
        .then(() => client.quit())
        .catch(() => client.disconnect());
    },
  };
}
