// The database a test file uses: the run's one PostgreSQL (DATABASE_URL), or on the embedded
// database the PGlite server of the vitest worker running the file (tests/setup/global-database.ts).
import { inject } from "vitest";
import type {} from "./provided-context.ts";

export function testDatabaseUrl(): string {
  const urls = inject("databaseUrls");
  // VITEST_POOL_ID runs from 1 to maxWorkers, the number of servers the global setup started.
  const worker = Number(process.env.VITEST_POOL_ID ?? "1");
  return urls[(worker - 1) % urls.length]!;
}
