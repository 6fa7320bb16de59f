// An optional in-process cache of session rows (SESSION_CACHE=on): a hit validates a cookie or
// bearer session without a database round trip. Every instance keeps it correct through
// PostgreSQL LISTEN/NOTIFY: triggers announce each change to a session row or to a cached user
// field when it commits (migration 20261202100000), and each instance drops what they name. The
// cache only answers while that channel is proved to work; otherwise every lookup goes to the
// database (docs/decisions/020-session-cache.md).
import { randomUUID } from "node:crypto";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import pg from "pg";
import type { Database, PreparedQuery } from "../db.ts";
import type { SessionRow } from "./session.ts";

export const SESSION_CHANGED_CHANNEL = "latchkey_session_changed";
const PING_PREFIX = "ping:";
const RECONNECT_DELAY_MS = 1_000;
/** How the LISTEN connections show in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "latchkey-session-cache";
/** Production timing: a ping a second, unhealthy when one is not back within a second. */
export const SESSION_CACHE_HEARTBEAT = { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 1_000 };
const PING: PreparedQuery = { name: "latchkey_session_cache_ping", text: "SELECT pg_notify($1, $2)" };

export interface SessionCacheOptions {
  url: string;
  /** Rows kept at most; past it, the oldest row not read since the last eviction goes first. */
  maxEntries: number;
  /** A row is re-read after this long whatever the channel says: bounds the damage of a lost notification. */
  ttlMs: number;
  /** How often a ping is sent from another connection to prove the channel delivers. */
  heartbeatIntervalMs: number;
  /** A ping not back within this long marks the channel unhealthy (the cache is flushed and bypassed). */
  heartbeatTimeoutMs: number;
  /** Sends the pings over the app's pool: a connection other than the listener's. */
  db: Pick<Database, "sql">;
  onError?: (error: Error) => void;
}

export interface SessionCache {
  /** Whether the cache answers: LISTEN is active and the last ping came back in time. */
  readonly healthy: boolean;
  /** The fresh row of session `id`, or null (not cached, too old, or the cache is bypassed). */
  get(id: string): SessionRow | null;
  /** Taken before reading a row from the database, and passed to set(). */
  startRead(): number;
  /** Keeps a row read since `readStarted`, unless a change was announced (or the cache flushed) since. */
  set(id: string, row: SessionRow, readStarted: number): void;
  /**
   * Resolves once every change committed before the call has been applied here: after a write on
   * this instance (a sign-out, a revocation), its next request cannot see the old row.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  row: SessionRow;
  storedAt: number;
  /** Read since eviction last passed it: it gets a second chance (CLOCK) instead of going. */
  used: boolean;
}

const sameFactors = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((factor, i) => factor === b[i]);

/**
 * Copies a re-read row into the cached one, field by field where it changed. A cached row lives in
 * V8's old generation: storing a fresh object (and fresh strings) at every TTL made each re-read
 * old-generation garbage, which under load piles up between major collections
 * (docs/decisions/034-server-memory-under-load.md). A re-read row that matches allocates nothing
 * long-lived.
 */
function refreshRow(cached: SessionRow, fresh: SessionRow): void {
  if (!constantTimeEqual(cached.secretHash, fresh.secretHash)) cached.secretHash = new Uint8Array(fresh.secretHash);
  if (!sameFactors(cached.factors, fresh.factors)) cached.factors = [...fresh.factors];
  if (cached.userId !== fresh.userId) cached.userId = fresh.userId;
  if (cached.kind !== fresh.kind) cached.kind = fresh.kind;
  if (cached.email !== fresh.email) cached.email = fresh.email;
  if (cached.name !== fresh.name) cached.name = fresh.name;
  cached.emailVerified = fresh.emailVerified;
  cached.createdMs = fresh.createdMs;
  cached.lastActiveMs = fresh.lastActiveMs;
  cached.expiresMs = fresh.expiresMs;
  cached.secondFactorPending = fresh.secondFactorPending;
  cached.secondFactorMs = fresh.secondFactorMs;
}

export function startSessionCache(options: SessionCacheOptions): SessionCache {
  // A Map iterates in insertion order, which eviction scans from the oldest. A hit only marks its
  // entry used: moving it to the back on every hit (a true LRU) churned the Map's backing table.
  const entries = new Map<string, Entry>();
  // Bumped by every announced change and every flush: a read that started before must not be stored.
  let generation = 0;
  let listener: pg.Client | null = null;
  let listening = false;
  let pingAnswered = false;
  let pendingPing: { nonce: string; sentAt: number } | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;

  const flush = () => {
    entries.clear();
    generation++;
  };
  const isHealthy = () => listening && pingAnswered && !closed;
  const markUnhealthy = () => {
    pingAnswered = false;
    flush();
  };

  const evictOne = () => {
    for (const [id, entry] of entries) {
      entries.delete(id);
      if (!entry.used) return;
      entry.used = false;
      entries.set(id, entry);
    }
  };

  const onNotification = (message: pg.Notification) => {
    const payload = message.payload ?? "";
    if (payload.startsWith(PING_PREFIX)) {
      if (pendingPing && payload === PING_PREFIX + pendingPing.nonce) {
        pendingPing = null;
        pingAnswered = true;
      }
      return;
    }
    generation++;
    if (payload.startsWith("s:")) {
      entries.delete(payload.slice(2));
    } else if (payload.startsWith("u:")) {
      const userId = payload.slice(2);
      for (const [id, entry] of entries) if (entry.row.userId === userId) entries.delete(id);
    } else {
      flush();
    }
  };

  const connect = async () => {
    reconnectTimer = null;
    const client = new pg.Client({ connectionString: options.url, application_name: LISTENER_APPLICATION_NAME });
    listener = client;
    const lost = (error?: Error) => {
      if (listener !== client) return;
      listener = null;
      listening = false;
      markUnhealthy();
      if (error) options.onError?.(error);
      client.removeAllListeners();
      client.on("error", () => {});
      void client.end().catch(() => {});
      if (!closed) reconnectTimer = setTimeout(() => void connect(), RECONNECT_DELAY_MS);
    };
    client.on("notification", onNotification);
    client.on("error", lost);
    client.on("end", () => lost(new Error("the LISTEN connection closed")));
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_CHANGED_CHANNEL}`);
      if (listener === client) listening = true;
      void ping();
    } catch (error) {
      lost(error as Error);
    }
  };

  const ping = async () => {
    // One ping at a time; the timer below gives up on a late one.
    if (!listening || closed || pendingPing) return;
    const nonce = randomUUID();
    pendingPing = { nonce, sentAt: performance.now() };
    try {
      await options.db.sql.query(PING, [SESSION_CHANGED_CHANNEL, PING_PREFIX + nonce]);
    } catch (error) {
      markUnhealthy();
      options.onError?.(error as Error);
    }
  };
  // Checks for a late ping more often than pings are sent, so an outage is noticed within the timeout.
  const heartbeat = setInterval(() => {
    if (pendingPing && performance.now() - pendingPing.sentAt > options.heartbeatTimeoutMs) {
      markUnhealthy();
      pendingPing = null;
    }
  }, Math.max(10, Math.floor(options.heartbeatTimeoutMs / 4)));
  const pinger = setInterval(() => void ping(), options.heartbeatIntervalMs);
  heartbeat.unref();
  pinger.unref();
  void connect();

  // sync()'s round trips run one at a time on the LISTEN connection: node-postgres queues a query
  // sent while another runs, but warns that pg 9 will refuse it.
  let lastSync: Promise<void> = Promise.resolve();
  let queuedSync: Promise<void> | null = null;
  const roundTrip = async () => {
    const client = listener;
    if (!client || !isHealthy()) return;
    // PostgreSQL sends a listening session its pending notifications before ReadyForQuery, and
    // the committing session signalled ours before its commit returned: once this round trip
    // completes, every change committed before it has been applied above.
    try {
      await client.query("SELECT 1");
    } catch {
      // The connection broke: `lost` has flushed the cache.
    }
  };

  return {
    get healthy() {
      return isHealthy();
    },
    get(id) {
      if (!isHealthy()) return null;
      const entry = entries.get(id);
      // An expired entry stays for set() to refresh in place after the re-read.
      if (!entry || performance.now() - entry.storedAt >= options.ttlMs) return null;
      entry.used = true;
      return entry.row;
    },
    startRead: () => generation,
    set(id, row, readStarted) {
      if (!isHealthy() || readStarted !== generation) return;
      const entry = entries.get(id);
      if (entry) {
        refreshRow(entry.row, row);
        entry.storedAt = performance.now();
        return;
      }
      if (entries.size >= options.maxEntries) evictOne();
      // The driver's hash is a view into an 8 KiB slab of Node's shared Buffer pool, which it would
      // keep alive for as long as the row is cached: the cache keeps a 32-byte copy instead.
      entries.set(id, { row: { ...row, secretHash: new Uint8Array(row.secretHash) }, storedAt: performance.now(), used: false });
    },
    sync() {
      if (!listener || !isHealthy()) return Promise.resolve();
      // Callers that arrive before the queued round trip starts share it: their commits precede it.
      if (queuedSync) return queuedSync;
      const next: Promise<void> = lastSync.then(() => {
        if (queuedSync === next) queuedSync = null;
        return roundTrip();
      });
      queuedSync = lastSync = next;
      return next;
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(pinger);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      flush();
      const client = listener;
      listener = null;
      listening = false;
      if (client) {
        client.removeAllListeners();
        client.on("error", () => {});
        await client.end().catch(() => {});
      }
    },
  };
}
