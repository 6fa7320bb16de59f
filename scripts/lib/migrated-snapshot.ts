// Where the tests keep migrated databases between runs, to start from instead of creating and
// migrating each one. Starting PGlite empty runs its initdb (~2.8 s of CPU here) and `prisma migrate
// deploy` another CLI (~2 s); a tarball of a migrated data directory loads in ~0.8 s
// (tests/setup/global-database.ts). A PostgreSQL cluster's initdb and migration take ~3.5 s; a
// copy of a migrated data directory starts at once (tests/setup/postgres-cluster.ts). A snapshot's
// name carries a hash of what decides its content, the committed migrations and the database
// engine: a changed migration is a new name, so a stale snapshot is never used.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repo-root.ts";

export interface SnapshotLocation {
  /** The folder of the snapshots: node_modules/.cache/latchkey, which a fresh install does not have. */
  dir: string;
  migrationsDir: string;
}

export const DEFAULT_SNAPSHOT_LOCATION: SnapshotLocation = {
  dir: path.join(REPO_ROOT, "node_modules", ".cache", "latchkey"),
  migrationsDir: path.join(REPO_ROOT, "prisma", "migrations"),
};

export interface SnapshotKind {
  /** What the snapshot holds, the start of its name: "test-database". */
  name: string;
  /** The engine and its version, which its format depends on: "pglite 0.5.14". */
  engine: string;
  /** ".tar" for a file, "" for a directory. */
  extension: string;
}

// The workspace root depends on PGlite, so pnpm links it here (its exports do not include package.json).
const PGLITE_PACKAGE = path.join(REPO_ROOT, "node_modules", "@electric-sql", "pglite", "package.json");

/** The embedded databases' snapshot: a tarball of PGlite's data directory. */
export function pgliteSnapshotKind(): SnapshotKind {
  const { version } = JSON.parse(readFileSync(PGLITE_PACKAGE, "utf8")) as { version: string };
  return { name: "test-database", engine: `pglite ${version}`, extension: ".tar" };
}

/** The snapshot's path for these migrations and this engine; it may not exist yet. */
export function migratedSnapshotPath(kind: SnapshotKind, location: SnapshotLocation = DEFAULT_SNAPSHOT_LOCATION): string {
  const hash = createHash("sha256").update(`${kind.engine}\n`);
  const files = readdirSync(location.migrationsDir, { recursive: true, encoding: "utf8" }).sort();
  for (const file of files) {
    const full = path.join(location.migrationsDir, file);
    try {
      hash.update(`${file}\n`).update(readFileSync(full)).update("\n");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EISDIR") throw error;
    }
  }
  return path.join(location.dir, `${kind.name}-${hash.digest("hex").slice(0, 16)}${kind.extension}`);
}

/**
 * Makes the snapshots' folder and removes the snapshots of the same kind for other migrations or
 * engines: one is kept. Files being written (`<snapshot>.<pid>`) are left alone.
 */
export function prepareSnapshotDir(kind: SnapshotKind, snapshot: string): void {
  const dir = path.dirname(snapshot);
  mkdirSync(dir, { recursive: true });
  const sameKind = new RegExp(`^${kind.name}-[0-9a-f]{16}${kind.extension.replace(".", "\\.")}$`);
  for (const name of readdirSync(dir)) {
    if (sameKind.test(name) && name !== path.basename(snapshot)) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
