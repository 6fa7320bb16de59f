// /healthz and /readyz on the real server: cheap, never cached, nothing secret, and /readyz says no
// while draining, while migrations are missing and while the database does not answer in time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { getFreePort, useTestServer } from "../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase } from "../../../tests/setup/server.ts";
import { startTcpProxy, type TcpProxy } from "../../../tests/setup/tcp-proxy.ts";
import { createDatabase, type Database } from "./db.ts";
import { createHealthHandler, readMigrationNames, READINESS_TIMEOUT_MS, type HealthDeps } from "./health.ts";
import { testDatabaseUrl } from "../../../tests/setup/database-url.ts";

let draining = false;
const queries: string[] = [];
const server = useTestServer({
  db: createTestDatabase({ onQuery: (sql) => queries.push(sql) }),
  config: createTestConfig(),
  isDraining: () => draining,
});

const servers: Server[] = [];
const databases: Database[] = [];
afterAll(async () => {
  for (const other of servers) other.close();
  await Promise.all(databases.map((db) => db.$disconnect()));
});

/** A TCP proxy in front of the test database, to make it slow or silent. */
function startDatabaseProxy(): Promise<TcpProxy> {
  const { hostname, port } = new URL(testDatabaseUrl());
  return startTcpProxy({ host: hostname, port: Number(port) });
}

/** The test database's URL through `proxy`. */
function proxiedDatabaseUrl(proxy: TcpProxy): string {
  const url = new URL(testDatabaseUrl());
  url.host = `127.0.0.1:${proxy.port}`;
  return url.toString();
}

/** Only the health handler, over HTTP: for databases and migration lists the app's server does not have. */
async function startHealthServer(deps: HealthDeps): Promise<string> {
  const handle = createHealthHandler(deps);
  const healthServer = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404).end();
  });
  servers.push(healthServer);
  databases.push(deps.db);
  await new Promise<void>((resolve) => healthServer.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}`;
}

describe("/healthz", () => {
  it("answers ok, uncached, for GET and HEAD, without touching the database", async () => {
    queries.length = 0;
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect((await fetch(`${server.url}/healthz`, { method: "HEAD" })).status).toBe(200);
    expect(queries).toEqual([]);
  });
});

describe("/readyz", () => {
  it("answers ready, uncached, with nothing but its status", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ready" });
    expect((await fetch(`${server.url}/readyz`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`, { method: "POST" })).status).toBe(405);
  });

  it("costs one SELECT 1 once the migrations are known to be applied, shared by probes that arrive together", async () => {
    // A database 200 ms away each way: the probes sent together all arrive while the first one's
    // query is under way, however busy the machine.
    const proxy = await startDatabaseProxy();
    try {
      proxy.setMode({ type: "delay", ms: 200 });
      const sent: string[] = [];
      const url = await startHealthServer({
        db: createDatabase({ url: proxiedDatabaseUrl(proxy), poolMax: 2, onQuery: (sql) => sent.push(sql) }),
        isDraining: () => false,
      });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      sent.length = 0;
      const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/readyz`)));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(sent.every((sql) => sql === "SELECT 1")).toBe(true);
      expect(sent.length).toBeLessThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });

  it("answers 503 while the instance drains", async () => {
    draining = true;
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "draining" });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      draining = false;
    }
  });

  it("answers 503 while a migration of this build is not applied", async () => {
    const url = await startHealthServer({
      db: createTestDatabase(),
      isDraining: () => false,
      migrationNames: [...readMigrationNames(), "29991231000000_not_yet_deployed"],
    });
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "migrations-pending" });
  });

  it("answers 503 when the database is unreachable, and within its time-out when it is silent", async () => {
    const unreachable = await startHealthServer({
      db: createDatabase({ url: `postgresql://postgres@127.0.0.1:${await getFreePort()}/postgres`, poolMax: 1 }),
      isDraining: () => false,
    });
    const refused = await fetch(`${unreachable}/readyz`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ status: "database-unavailable" });

    const proxy = await startDatabaseProxy();
    try {
      proxy.setMode({ type: "stall" });
      const silent = await startHealthServer({
        db: createDatabase({ url: proxiedDatabaseUrl(proxy), poolMax: 1 }),
        isDraining: () => false,
      });
      const started = Date.now();
      const response = await fetch(`${silent}/readyz`);
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(READINESS_TIMEOUT_MS + 1_000);
    } finally {
      await proxy.close();
    }
  });
});
