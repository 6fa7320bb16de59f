// The benchmark's PostgreSQL database: created and migrated on first use, reseeded on every run
// (1,000 users, 10,000 live sessions with tokens the load generator knows), and read through
// pg_stat_database to count transactions and written rows per request.
import pg from "pg";
import { hashPassword } from "../../../apps/server/src/auth/password.ts";
import type { SessionPolicy } from "../../../apps/server/src/auth/session.ts";
import { generateSessionToken, hashSessionSecret } from "../../../apps/server/src/auth/token.ts";
import { createDatabase } from "../../../apps/server/src/db.ts";
import { requirePrisma } from "../../../scripts/lib/prisma-cli.ts";

export const BENCH_PASSWORD = "bench password, not a secret";
const USER_COUNT = 1_000;
const SESSIONS_PER_USER = 10;
// Every user gets half its sessions of each kind: cookie and bearer requests both rotate over 5,000.
const INSERT_BATCH_SIZE = 2_000;

export interface SeededData {
  cookieTokens: string[];
  bearerTokens: string[];
  seededAt: Date;
}

export interface DatabaseActivity {
  /**
   * Committed plus rolled-back transactions, less one per connection opened (PostgreSQL counts a
   * transaction while it sets a new connection up): one per statement outside explicit transactions.
   */
  transactions: number;
  /** Rows inserted, updated and deleted. */
  rowsWritten: number;
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** A client on the same server's `postgres` database, for administration and statistics. */
export async function connectAdmin(url: string): Promise<pg.Client> {
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  return client;
}

/** Creates the database when missing and applies the migrations (`prisma migrate deploy`). */
export async function prepareDatabase(admin: pg.Client, url: string): Promise<void> {
  const name = databaseName(url);
  const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await requirePrisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
}

/** Replaces every user (and so every session and note) with the benchmark's data set. */
export async function seedDatabase(url: string, policy: SessionPolicy): Promise<SeededData> {
  const db = createDatabase({ url, poolMax: 1 });
  try {
    const seededAt = new Date();
    // One hash for every user: argon2 is deliberately slow, and sign-in is not what is measured.
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const users = Array.from({ length: USER_COUNT }, (_, index) => ({
      id: crypto.randomUUID(),
      email: `bench-${String(index).padStart(4, "0")}@bench.latchkey.dev`,
      name: `Bench User ${index}`,
      passwordHash,
      // Verified, like the demo users: the feature procedures (verifiedProcedure) are measured too.
      emailVerifiedAt: seededAt,
      createdAt: seededAt,
    }));
    const seeded: SeededData = { cookieTokens: [], bearerTokens: [], seededAt };
    const sessions = users.flatMap((user) =>
      Array.from({ length: SESSIONS_PER_USER }, (_, index) => {
        const { id, secret, token } = generateSessionToken();
        const kind = index % 2 === 0 ? ("cookie" as const) : ("bearer" as const);
        (kind === "cookie" ? seeded.cookieTokens : seeded.bearerTokens).push(token);
        return {
          id,
          secretHash: hashSessionSecret(secret),
          userId: user.id,
          kind,
          createdAt: seededAt,
          lastActiveAt: seededAt,
          expiresAt: new Date(seededAt.getTime() + policy.absoluteLifetimeMs),
          userAgent: "latchkey bench",
          ip: "127.0.0.1",
        };
      }),
    );

    await db.$executeRaw`TRUNCATE TABLE "User" CASCADE`;
    await db.user.createMany({ data: users });
    for (let start = 0; start < sessions.length; start += INSERT_BATCH_SIZE) {
      await db.session.createMany({ data: sessions.slice(start, start + INSERT_BATCH_SIZE) });
    }
    // Fresh statistics and visibility maps, so autovacuum has no reason to run during the load.
    await db.$executeRaw`VACUUM ANALYZE`;
    return seeded;
  } finally {
    await db.$disconnect();
  }
}

export async function readDatabaseActivity(admin: pg.Client, url: string): Promise<DatabaseActivity> {
  const { rows } = await admin.query<{ transactions: string; rows_written: string }>(
    `SELECT xact_commit + xact_rollback - sessions AS transactions, tup_inserted + tup_updated + tup_deleted AS rows_written
       FROM pg_stat_database WHERE datname = $1`,
    [databaseName(url)],
  );
  const row = rows[0];
  if (!row) throw new Error(`pg_stat_database has no row for ${databaseName(url)}`);
  return { transactions: Number(row.transactions), rowsWritten: Number(row.rows_written) };
}

/**
 * Waits until no client is connected to the database. A backend flushes its pending statistics
 * when it exits (otherwise only every second while busy, or ten seconds after going idle), so
 * counts read after this include everything the departed clients did.
 */
export async function waitForNoConnections(admin: pg.Client, url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query<{ count: string }>(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
      [databaseName(url)],
    );
    if (rows[0]?.count === "0") return;
    if (Date.now() > deadline) throw new Error(`clients still connected to ${databaseName(url)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Process ids of the PostgreSQL backends serving clients of the database. */
export async function listBackendPids(admin: pg.Client, url: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
    [databaseName(url)],
  );
  return rows.map((row) => row.pid);
}

/** Sessions whose lastActiveAt moved since the seed: renewal writes, which the run must not make. */
export async function countRenewedSessions(url: string, seededAt: Date): Promise<number> {
  const db = createDatabase({ url, poolMax: 1 });
  try {
    return await db.session.count({ where: { lastActiveAt: { gt: seededAt } } });
  } finally {
    await db.$disconnect();
  }
}
