// Test setup for the Redis rate-limit store: where Redis is, whether it runs, and key cleanup.
import { connect } from "node:net";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function isReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 500 });
    const finish = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once("connect", () => finish(true)).once("error", () => finish(false)).once("timeout", () => finish(false));
  });
}

// CI runs next to Redis and must test it; a laptop without Redis skips only the Redis store.
export const redisAvailable = process.env.CI === "true" || (await isReachable(REDIS_URL));

/** The commands of an ioredis client that cleanup needs (ioredis is the server's dependency). */
interface RedisKeyClient {
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
}

/** Deletes the keys a test wrote under its own prefix, through the store's own client. */
export async function deleteRedisKeys(client: RedisKeyClient, keyPrefix: string): Promise<void> {
  const keys = await client.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await client.del(...keys);
}
