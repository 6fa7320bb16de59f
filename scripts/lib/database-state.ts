// What `pnpm dev` needs to know before it starts the API: are migrations pending, and does the
// database have users yet. One connection and two queries (~50 ms) instead of the Prisma CLI
// (~1 s), which then runs only when there is something to apply.
import { readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { REPO_ROOT } from "./repo-root.ts";

const MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma", "migrations");
// PostgreSQL's "relation does not exist": a database Prisma has never migrated.
const UNDEFINED_TABLE = "42P01";
// "database does not exist": `prisma migrate deploy` creates it.
const INVALID_CATALOG_NAME = "3D000";

export interface DatabaseState {
  /** Committed migrations the database has not applied (failed or rolled-back ones included). */
  pendingMigrations: string[];
  /** False until the seed (or a sign-up) has created a user. */
  hasUsers: boolean;
}

function listCommittedMigrations(): string[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

async function queryOrEmpty<T extends pg.QueryResultRow>(client: pg.Client, sql: string): Promise<T[] | null> {
  try {
    return (await client.query<T>(sql)).rows;
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return null;
    throw error;
  }
}

export async function readDatabaseState(databaseUrl: string): Promise<DatabaseState> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === INVALID_CATALOG_NAME) return { pendingMigrations: listCommittedMigrations(), hasUsers: false };
    throw error;
  }
  try {
    const applied = await queryOrEmpty<{ migration_name: string }>(
      client,
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const appliedNames = new Set((applied ?? []).map((row) => row.migration_name));
    const users = await queryOrEmpty(client, 'SELECT 1 FROM "User" LIMIT 1');
    return {
      pendingMigrations: listCommittedMigrations().filter((name) => !appliedNames.has(name)),
      hasUsers: (users?.length ?? 0) > 0,
    };
  } finally {
    await client.end();
  }
}
