// The Prisma client over node-postgres (driver adapter): the same driver for PGlite and PostgreSQL.
// The pool under it also answers the one query every authenticated request makes (`db.sql`), as a
// prepared statement without Prisma's per-query work (docs/decisions/019-session-lookup-statement.md).
// Every wait on the database is bounded (DESIGN §8), so an outage answers 503 instead of hanging.
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client.ts";

/** A statement `db.sql` runs: prepared once per connection when named statements are on. */
export interface PreparedQuery {
  /** Unique within the app; a per-connection suffix is added to it. */
  name: string;
  text: string;
}

/** Hot-path SQL on the Prisma client's own pool, seen by `onQuery` like Prisma's statements. */
export interface SqlRunner {
  query<Row extends pg.QueryResultRow>(statement: PreparedQuery, values: unknown[]): Promise<Row[]>;
}

export type Database = PrismaClient & { readonly sql: SqlRunner };
/** The client or an interactive transaction: what domain functions take, so they compose in both. */
export type DatabaseClient = Prisma.TransactionClient;

// A server that stops answering cannot enforce its own statement_timeout: the client gives up this
// much later by itself.
const CLIENT_TIMEOUT_GRACE_MS = 1_000;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /**
   * Named (server-side prepared) statements for `db.sql`: parsed and planned once per connection
   * instead of on every request. On by default; off behind PgBouncer in transaction mode, which
   * moves a client between server connections (DATABASE_NAMED_STATEMENTS=false).
   */
  namedStatements?: boolean;
  /** Opening a connection, and waiting for a free one when the pool is busy (pg-pool bounds both with one timer). */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout, and the client-side limit on waiting for any answer. */
  statementTimeoutMs?: number;
  /** Called with every SQL statement sent: statement counts are tested and benchmarked. */
  onQuery?: (sql: string) => void;
}

function createSqlRunner(pool: pg.Pool, namedStatements: boolean, onQuery: ((sql: string) => void) | undefined): SqlRunner {
  // Statement names are random per connection: the embedded database (PGlite) serves every
  // connection of every pool from one backend session, where a second connection preparing the
  // same name would fail.
  const connectionIds = new WeakMap<pg.PoolClient, string>();
  return {
    async query<Row extends pg.QueryResultRow>(statement: PreparedQuery, values: unknown[]) {
      onQuery?.(statement.text);
      if (!namedStatements) return (await pool.query<Row>(statement.text, values)).rows;
      const client = await pool.connect();
      // As pool.query does: a connection that breaks while checked out reports here, not as an
      // unhandled 'error' event, and is destroyed on release rather than reused.
      let failure: Error | undefined;
      const onError = (error: Error) => {
        failure = error;
      };
      client.on("error", onError);
      try {
        let id = connectionIds.get(client);
        if (id === undefined) connectionIds.set(client, (id = randomBytes(8).toString("hex")));
        return (await client.query<Row>({ name: `${statement.name}_${id}`, text: statement.text, values })).rows;
      } catch (error) {
        failure ??= error as Error;
        throw error;
      } finally {
        client.off("error", onError);
        client.release(failure);
      }
    },
  };
}

export function createDatabase(options: DatabaseOptions): Database {
  const { connectTimeoutMs, statementTimeoutMs } = options;
  // An explicit small pool: PGlite refuses connections over its limit instead of queueing them.
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
    ...(statementTimeoutMs === undefined
      ? {}
      : { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_GRACE_MS }),
  });
  // An idle connection that breaks (a database restart) is dropped by the pool, and the next query
  // opens a new one. Without a listener the pool would re-throw it and end the process; Prisma's
  // adapter adds one too, but only on its first query, and db.sql may come first.
  pool.on("error", () => {});
  // A connection can also break while checked out between two queries (a transaction's, when the
  // database restarts or ends the backend): node-postgres emits that as 'error' on the client, and
  // nobody may be listening at that moment. Every client keeps a listener of its own, so such an
  // error never ends the process; the client is then unusable, its next query fails as an outage
  // (503, database-outage.ts) and the pool drops it on release.
  pool.on("connect", (client) => client.on("error", () => {}));
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const sql = createSqlRunner(pool, options.namedStatements ?? true, options.onQuery);
  // An interactive transaction waits for a connection no longer than any other query.
  const transactionOptions = connectTimeoutMs === undefined ? undefined : { maxWait: connectTimeoutMs };
  if (!options.onQuery) return Object.assign(new PrismaClient({ adapter, transactionOptions }), { sql });
  const onQuery = options.onQuery;
  const db = new PrismaClient({ adapter, transactionOptions, log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => onQuery(event.query));
  return Object.assign(db, { sql });
}
