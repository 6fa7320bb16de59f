// The hot-path SQL runner on Prisma's pool: named statements, their names, and statement reporting.
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "./db.ts";
import { testDatabaseUrl } from "../../../tests/setup/database-url.ts";

let open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.map((db) => db.$disconnect()));
  open = [];
});

/** One connection, so the statements it prepared are the ones pg_prepared_statements shows to it. */
function connect(namedStatements?: boolean): Database {
  const db = createDatabase({ url: testDatabaseUrl(), poolMax: 1, ...(namedStatements === undefined ? {} : { namedStatements }) });
  open.push(db);
  return db;
}

async function preparedNames(db: Database, prefix: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`SELECT name FROM pg_prepared_statements WHERE name LIKE ${`${prefix}%`}`;
  return rows.map((row) => row.name);
}

const statement = () => ({ name: `test_${crypto.randomUUID().replaceAll("-", "")}`, text: "SELECT $1::int + 1 AS next" });

describe("db.sql", () => {
  it("prepares a statement once per connection by default and reuses it", async () => {
    const db = connect();
    const query = statement();
    expect(await db.sql.query(query, [1])).toEqual([{ next: 2 }]);
    const names = await preparedNames(db, query.name);
    expect(names).toHaveLength(1);
    expect(await db.sql.query(query, [41])).toEqual([{ next: 42 }]);
    expect(await preparedNames(db, query.name)).toEqual(names);
  });

  it("sends unnamed statements when named statements are off (PgBouncer in transaction mode)", async () => {
    const db = connect(false);
    const query = statement();
    expect(await db.sql.query(query, [1])).toEqual([{ next: 2 }]);
    expect(await preparedNames(db, query.name)).toEqual([]);
  });

  it("names statements per connection, so two pools on one embedded-database session do not collide", async () => {
    const query = statement();
    const [first, second] = [connect(), connect()];
    // The same statement prepared by two pools: on PGlite both share one backend session.
    expect(await Promise.all([first.sql.query(query, [1]), second.sql.query(query, [2])])).toEqual([[{ next: 2 }], [{ next: 3 }]]);
  });

  it("reports each statement to onQuery, so statement counts include it", async () => {
    const seen: string[] = [];
    const db = createDatabase({ url: testDatabaseUrl(), poolMax: 1, onQuery: (sql) => seen.push(sql) });
    open.push(db);
    const query = statement();
    await db.sql.query(query, [1]);
    expect(seen).toEqual([query.text]);
  });
});
