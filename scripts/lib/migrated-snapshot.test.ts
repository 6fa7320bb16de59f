// The migrated test database's snapshot is found by a name that changes with every migration, so
// a run never starts from a stale one, and a new snapshot replaces the old.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migratedSnapshotPath, prepareSnapshotDir, type SnapshotLocation } from "./migrated-snapshot.ts";

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
    expect(migratedSnapshotPath(location)).toBe(migratedSnapshotPath(location));
    expect(path.dirname(migratedSnapshotPath(location))).toBe(location.dir);
  });

  it("changes when a migration is added or edited", () => {
    const location = createLocation();
    const first = migratedSnapshotPath(location);
    addMigration(location, "20260102000000_more", "CREATE TABLE b (id text);");
    const second = migratedSnapshotPath(location);
    addMigration(location, "20260102000000_more", "CREATE TABLE b (id text, name text);");
    const third = migratedSnapshotPath(location);
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it("depends on the migrations' content, not on where the checkout is", () => {
    const [one, other] = [createLocation(), createLocation()];
    expect(path.basename(migratedSnapshotPath(one))).toBe(path.basename(migratedSnapshotPath(other)));
  });
});

describe("preparing the snapshots' folder", () => {
  it("creates it, and removes other migrations' snapshots but not this one's or unrelated files", () => {
    const location = createLocation();
    const current = migratedSnapshotPath(location);
    prepareSnapshotDir(current);
    const old = path.join(location.dir, "test-database-0123456789abcdef.tar");
    const unrelated = path.join(location.dir, "notes.txt");
    const inProgress = `${current}.4242`;
    for (const file of [current, old, unrelated, inProgress]) writeFileSync(file, "x");

    prepareSnapshotDir(current);
    expect([current, old, unrelated, inProgress].map((file) => existsSync(file))).toEqual([true, false, true, true]);
  });
});
