// Where the test run keeps its migrated embedded database between runs. Starting PGlite empty runs
// its initdb (~2.8 s of CPU here) and `prisma migrate deploy` another CLI (~2 s); starting from a
// tarball of an already migrated data directory takes ~0.8 s, for each of the run's databases
// (tests/setup/global-database.ts). The file's name carries a hash of what decides its content:
// the committed migrations and the PGlite version. A changed migration is a new name, so a stale
// snapshot is never loaded.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repo-root.ts";

const PREFIX = "test-database-";

export interface SnapshotLocation {
  /** The folder of the snapshots: node_modules/.cache/latchkey, which a fresh install does not have. */
  dir: string;
  migrationsDir: string;
}

export const DEFAULT_SNAPSHOT_LOCATION: SnapshotLocation = {
  dir: path.join(REPO_ROOT, "node_modules", ".cache", "latchkey"),
  migrationsDir: path.join(REPO_ROOT, "prisma", "migrations"),
};

// The workspace root depends on PGlite, so pnpm links it here (its exports do not include package.json).
const PGLITE_PACKAGE = path.join(REPO_ROOT, "node_modules", "@electric-sql", "pglite", "package.json");

function pgliteVersion(): string {
  return (JSON.parse(readFileSync(PGLITE_PACKAGE, "utf8")) as { version: string }).version;
}

/** The snapshot's path for these migrations and this PGlite; the file may not exist yet. */
export function migratedSnapshotPath(location: SnapshotLocation = DEFAULT_SNAPSHOT_LOCATION): string {
  const hash = createHash("sha256").update(`pglite ${pgliteVersion()}\n`);
  const files = readdirSync(location.migrationsDir, { recursive: true, encoding: "utf8" }).sort();
  for (const file of files) {
    const full = path.join(location.migrationsDir, file);
    try {
      hash.update(`${file}\n`).update(readFileSync(full)).update("\n");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EISDIR") throw error;
    }
  }
  return path.join(location.dir, `${PREFIX}${hash.digest("hex").slice(0, 16)}.tar`);
}

/** Makes the snapshots' folder and removes the snapshots of other migrations: one is kept. */
export function prepareSnapshotDir(snapshot: string): void {
  const dir = path.dirname(snapshot);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.startsWith(PREFIX) && name.endsWith(".tar") && name !== path.basename(snapshot)) rmSync(path.join(dir, name), { force: true });
  }
}
