// The migrated test database's snapshot is found by a name that changes with every migration, so
// a run never starts from a stale one, and a new snapshot replaces the old.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migratedSnapshotPath, prepareSnapshotDir, type SnapshotKind, type SnapshotLocation } from "./migrated-snapshot.ts";

const KIND: SnapshotKind = { name: "test-database", engine: "pglite 1.0.0", extension: ".tar" };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function createLocation(): SnapshotLocation {
  const root = mkdtempSync(path.join(tmpdir(), "migrated-snapshot-"));
  dirs.push(root);
  const location = { dir: path.join(root, "cache"), migrationsDir: path.join(root, "migrations") };
  addMigration(location, "20260101000000_init", "CREATE TABLE a (id text);");
  writeFileSync(path.join(location.migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
  return location;
}

function addMigration(location: SnapshotLocation, name: string, sql: string): void {
  mkdirSync(path.join(location.migrationsDir, name), { recursive: true });
  writeFileSync(path.join(location.migrationsDir, name, "migration.sql"), sql);
}

describe("the migrated snapshot's path", () => {
  it("stays the same while the migrations do", () => {
    const location = createLocation();
    expect(migratedSnapshotPath(KIND, location)).toBe(migratedSnapshotPath(KIND, location));
    expect(path.dirname(migratedSnapshotPath(KIND, location))).toBe(location.dir);
  });

  it("changes when a migration is added or edited", () => {
    const location = createLocation();
    const first = migratedSnapshotPath(KIND, location);
    addMigration(location, "20260102000000_more", "CREATE TABLE b (id text);");
    const second = migratedSnapshotPath(KIND, location);
    addMigration(location, "20260102000000_more", "CREATE TABLE b (id text, name text);");
    const third = migratedSnapshotPath(KIND, location);
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it("changes with the engine", () => {
    const location = createLocation();
    expect(migratedSnapshotPath({ ...KIND, engine: "pglite 1.0.1" }, location)).not.toBe(migratedSnapshotPath(KIND, location));
  });

  it("depends on the migrations' content, not on where the checkout is", () => {
    const [one, other] = [createLocation(), createLocation()];
    expect(path.basename(migratedSnapshotPath(KIND, one))).toBe(path.basename(migratedSnapshotPath(KIND, other)));
  });
});

describe("preparing the snapshots' folder", () => {
  it("creates it, and removes the same kind's other snapshots but not this one, other kinds' or files being written", () => {
    const location = createLocation();
    const current = migratedSnapshotPath(KIND, location);
    prepareSnapshotDir(KIND, current);
    const old = path.join(location.dir, "test-database-0123456789abcdef.tar");
    const otherKind = path.join(location.dir, "postgres-cluster-0123456789abcdef");
    const unrelated = path.join(location.dir, "notes.txt");
    const inProgress = `${current}.4242`;
    for (const file of [current, old, unrelated, inProgress]) writeFileSync(file, "x");
    mkdirSync(otherKind);

    prepareSnapshotDir(KIND, current);
    expect([current, old, otherKind, unrelated, inProgress].map((file) => existsSync(file))).toEqual([true, false, true, true, true]);
  });

  it("removes an old snapshot that is a directory (a PostgreSQL data directory)", () => {
    const location = createLocation();
    const kind: SnapshotKind = { name: "postgres-cluster", engine: "postgres /usr/lib/postgresql/15/bin", extension: "" };
    const current = migratedSnapshotPath(kind, location);
    const old = path.join(location.dir, "postgres-cluster-0123456789abcdef");
    mkdirSync(path.join(old, "base"), { recursive: true });
    mkdirSync(current);

    prepareSnapshotDir(kind, current);
    expect([existsSync(current), existsSync(old)]).toEqual([true, false]);
  });
});
