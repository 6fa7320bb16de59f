// The Prisma client over node-postgres (driver adapter): the same driver for PGlite and PostgreSQL.
// Every wait on the database is bounded (DESIGN §8), so an outage answers 503 instead of hanging.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client.ts";

export type Database = PrismaClient;
/** The client or an interactive transaction: what domain functions take, so they compose in both. */
export type DatabaseClient = Prisma.TransactionClient;

// A server that stops answering cannot enforce its own statement_timeout: the client gives up this
// much later by itself.
const CLIENT_TIMEOUT_GRACE_MS = 1_000;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Opening a connection, and waiting for a free one when the pool is busy (pg-pool bounds both with one timer). */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout, and the client-side limit on waiting for any answer. */
  statementTimeoutMs?: number;
  /** Called with every SQL statement sent: statement counts are tested and benchmarked. */
  onQuery?: (sql: string) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  const { connectTimeoutMs, statementTimeoutMs } = options;
  // An explicit small pool: PGlite refuses connections over its limit instead of queueing them.
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax,
    ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
    ...(statementTimeoutMs === undefined
      ? {}
      : { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_GRACE_MS }),
  });
  // An interactive transaction waits for a connection no longer than any other query.
  const transactionOptions = connectTimeoutMs === undefined ? undefined : { maxWait: connectTimeoutMs };
  if (!options.onQuery) return new PrismaClient({ adapter, transactionOptions });
  const onQuery = options.onQuery;
  const db = new PrismaClient({ adapter, transactionOptions, log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => onQuery(event.query));
  return db;
}
