// The Prisma client over node-postgres (driver adapter): the same driver for PGlite and PostgreSQL.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client.ts";

export type Database = PrismaClient;
/** The client or an interactive transaction: what domain functions take, so they compose in both. */
export type DatabaseClient = Prisma.TransactionClient;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Called with every SQL statement sent: statement counts are tested and benchmarked. */
  onQuery?: (sql: string) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  // An explicit small pool: PGlite refuses connections over its limit instead of queueing them.
  const adapter = new PrismaPg({ connectionString: options.url, max: options.poolMax });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const onQuery = options.onQuery;
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => onQuery(event.query));
  return db;
}
