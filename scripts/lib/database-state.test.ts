// Against the test database (migrated by the global setup) and a fresh embedded one.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readDatabaseState } from "./database-state.ts";
import { startEmbeddedDatabase } from "./embedded-database.ts";
import { REPO_ROOT } from "./repo-root.ts";
import { testDatabaseUrl } from "../../tests/setup/database-url.ts";

const committed = readdirSync(path.join(REPO_ROOT, "prisma", "migrations"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe("readDatabaseState", () => {
  it("finds nothing pending on a migrated database", async () => {
    expect(committed.length).toBeGreaterThan(0);
    expect((await readDatabaseState(testDatabaseUrl())).pendingMigrations).toEqual([]);
  });

  // Creating a PGlite database takes seconds on a busy machine.
  it("takes a database Prisma never migrated as needing every migration and the seed", { timeout: 60_000 }, async () => {
    const fresh = await startEmbeddedDatabase({ dataDir: null, port: 0 });
    try {
      expect(await readDatabaseState(fresh.url)).toEqual({ pendingMigrations: committed, hasUsers: false });
    } finally {
      await fresh.stop();
    }
  });
});
