// `pnpm bench [--quick] [--rounds N] [--duration S] [--connections 1,32,128] [--cpu-prof]`: what a
// session costs per request, against the ceiling of this machine and the edge before issue 13, in
// one run; prints the table and draws the chart. Needs a PostgreSQL database of its own in
// DATABASE_URL (it deletes every user there). Method: docs/performance.md.
// `pnpm bench --soak [--duration S] [--rate N]`: 10 minutes at a fixed rate (soak.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateEncryptionKey } from "../../../apps/server/src/auth/encryption.ts";
import { generateJwtPrivateKey } from "../../../apps/server/src/auth/signing-key.ts";
import { loadConfig } from "../../../apps/server/src/env.ts";
import { renderChart } from "./chart.ts";
import type { PasswordBenchResult } from "./password.ts";
import {
  connectAdmin,
  countRenewedSessions,
  listBackendPids,
  prepareDatabase,
  readDatabaseActivity,
  seedDatabase,
  waitForNoConnections,
  type SeededData,
} from "./database.ts";
import { startLoadGenerator, type CredentialList, type LoadGenerator } from "./load.ts";
import { countCores, readCpuSeconds, readMachineCpuSeconds, readRssKib } from "./process.ts";
import {
  describeOtherLoad,
  judgeTargets,
  renderTable,
  renderTargets,
  summarize,
  VARIANT_KEYS,
  type Cell,
  type StatementCount,
  type VariantKey,
} from "./report.ts";
import { startProductionServer, startReferenceServer, type BenchServer, type ServerOptions } from "./servers.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { DEFAULT_SOAK_SETTINGS, runSoak } from "./soak.ts";

const SUGGESTED_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/latchkey_bench";
const ARTIFACTS_DIR = path.join(REPO_ROOT, "artifacts", "bench");
// A full run's chart goes into the docs (docs/performance.md shows it); a --quick one stays in artifacts.
const DOCS_CHART = path.join(REPO_ROOT, "docs", "performance-chart.svg");
const SESSION_COOKIE = "latchkey_session";
// Long enough that no seeded session is due for renewal during the run (checked at the end).
const RENEWAL_INTERVAL_MINUTES = 60;
const ACCESS_TOKEN_TTL_SECONDS = 300;
const STATEMENT_COUNT_CONNECTIONS = 8;

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string", default: "1,32,128" },
    "cpu-prof": { type: "boolean", default: false },
    soak: { type: "boolean", default: false },
    rate: { type: "string" },
  },
});
const quick = flags.quick;
const settings = {
  rounds: Number(flags.rounds ?? (quick ? 1 : 3)),
  durationSeconds: Number(flags.duration ?? (quick ? 1 : 4)),
  connections: flags.connections.split(",").map(Number),
  warmUpSeconds: quick ? 0.5 : 2,
  statementCountRequests: quick ? 200 : 2_000,
  passwordSeconds: quick ? 1 : 4,
};
if (![settings.rounds, settings.durationSeconds, ...settings.connections].every((n) => Number.isInteger(n) && n > 0)) {
  console.error("--rounds, --duration and --connections take whole numbers above 0.");
  process.exit(2);
}

function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    console.error(`pnpm bench needs a real PostgreSQL database of its own in DATABASE_URL, for example\n  DATABASE_URL=${SUGGESTED_DATABASE_URL} pnpm bench`);
    process.exit(2);
  }
  if (!new URL(url).pathname.includes("bench")) {
    console.error(`pnpm bench replaces every user in its database, so the database name must contain "bench" (e.g. ${SUGGESTED_DATABASE_URL}).`);
    process.exit(2);
  }
  return url;
}
const databaseUrl = requireDatabaseUrl();

const log = (message: string) => console.error(`› ${message}`);
const startedAt = new Date();
const loadAverageAtStart = os.loadavg();

// The server's complete environment: nothing from the caller's shell or .env leaks in but PATH
// and, when set, the pool size and DATABASE_NAMED_STATEMENTS (for A/B runs).
const serverEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl,
  ...(process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {}),
  ...(process.env.DATABASE_NAMED_STATEMENTS ? { DATABASE_NAMED_STATEMENTS: process.env.DATABASE_NAMED_STATEMENTS } : {}),
  HOST: "127.0.0.1",
  APP_ORIGIN: "http://localhost:5173",
  // Required in production; the measured requests send no mail, so nothing listens there.
  SMTP_URL: "smtp://127.0.0.1:9",
  // Background work off, so that every statement the runs count was sent for a request: no session
  // cleanup, and the outbox worker polls once at start (measured requests send no mail).
  SESSION_CLEANUP_INTERVAL_MINUTES: "0",
  MAIL_OUTBOX_POLL_SECONDS: "3600",
  SESSION_RENEWAL_INTERVAL_MINUTES: String(RENEWAL_INTERVAL_MINUTES),
  JWT_PRIVATE_KEY: generateJwtPrivateKey(),
  ENCRYPTION_KEY: generateEncryptionKey(),
  ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
};
const config = loadConfig(serverEnv);

const cores = countCores();
const serverCore = cores >= 2 ? 0 : null;
const loadCore = cores >= 2 ? 1 : null;
const serverOptions: ServerOptions = {
  env: serverEnv,
  core: serverCore,
  cpuProfileDir: flags["cpu-prof"] ? path.join(ARTIFACTS_DIR, "profiles") : null,
};

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} failed (exit ${code})`))));
  });
}

async function getOk(url: string, init: RequestInit = {}): Promise<string> {
  const response = await fetch(url, init);
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url} answered ${response.status}: ${body}`);
  return body;
}

/** Access tokens from `auth.issueAccessToken`, one per request stream of the widest level. */
async function issueAccessTokens(apiUrl: string, sessionTokens: string[]): Promise<string[]> {
  return Promise.all(
    sessionTokens.map(async (token) => {
      const body = await getOk(`${apiUrl}/trpc/auth.issueAccessToken`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
      return (JSON.parse(body) as { result: { data: { accessToken: string } } }).result.data.accessToken;
    }),
  );
}

/** What each variant's requests carry; every request takes the next value, round-robin. */
function credentialsFor(variant: VariantKey, seeded: SeededData, accessTokens: string[]): CredentialList {
  switch (variant) {
    case "cookie":
    case "uncached":
    case "standalone":
      return { header: "cookie", values: seeded.cookieTokens.map((token) => `${SESSION_COOKIE}=${token}`) };
    case "bearer":
    case "handwritten":
      return { header: "authorization", values: seeded.bearerTokens.map((token) => `Bearer ${token}`) };
    case "jwt":
      return { header: "authorization", values: accessTokens.map((token) => `Bearer ${token}`) };
    case "ceiling":
    case "public":
    case "publicFetch":
      // Not a credential: the same per-request work for the load generator as the other variants.
      return { header: "x-bench-token", values: seeded.cookieTokens };
  }
}

type Servers = Record<"api" | "uncached" | "ceiling" | "public" | "handwritten" | "standalone" | "publicFetch", BenchServer>;
const serverOf = (servers: Servers, variant: VariantKey) =>
  variant === "cookie" || variant === "bearer" || variant === "jwt" ? servers.api : servers[variant];
// The same production build with the session cache off (SESSION_CACHE=off): the cache's own effect.
const uncachedOptions: ServerOptions = { ...serverOptions, env: { ...serverEnv, SESSION_CACHE: "off" } };

/** A fresh server for `variant`: the production build for the API's variants, else a reference server. */
function startServerFor(variant: VariantKey, meBody: string, options: ServerOptions): Promise<BenchServer> {
  return variant === "cookie" || variant === "bearer" || variant === "jwt" || variant === "uncached"
    ? startProductionServer(options)
    : startReferenceServer(variant, meBody, options);
}

async function startServers(meBody: string): Promise<Servers> {
  const [api, uncached, ceiling, publicServer, handwritten, standalone, publicFetch] = await Promise.all([
    startProductionServer(serverOptions),
    startProductionServer(uncachedOptions),
    startReferenceServer("ceiling", meBody, serverOptions),
    startReferenceServer("public", meBody, serverOptions),
    startReferenceServer("handwritten", meBody, serverOptions),
    startReferenceServer("standalone", meBody, serverOptions),
    startReferenceServer("publicFetch", meBody, serverOptions),
  ]);
  return { api, uncached, ceiling, public: publicServer, handwritten, standalone, publicFetch };
}

async function stopServers(servers: Partial<Servers>): Promise<void> {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
}

/** Fails unless every variant answers its first credential with auth.me's user. */
async function checkResponses(servers: Servers, seeded: SeededData, accessTokens: string[], meBody: string) {
  const userOf = (body: string) => JSON.stringify((JSON.parse(body) as { result: { data: { user: unknown } } }).result.data.user);
  for (const variant of VARIANT_KEYS) {
    const { header, values } = credentialsFor(variant, seeded, accessTokens);
    const body = await getOk(`${serverOf(servers, variant).url}/trpc/auth.me`, { headers: { [header]: values[0]! } });
    const expected = variant === "jwt" || variant === "bearer" || variant === "handwritten" ? null : userOf(meBody);
    if (!body.includes('"user":{"id":"') || (expected !== null && userOf(body) !== expected)) {
      throw new Error(`${variant} answered ${body}, not auth.me's answer ${meBody}`);
    }
  }
}

interface PhaseContext {
  admin: Awaited<ReturnType<typeof connectAdmin>>;
  generator: LoadGenerator;
  servers: Servers;
  seeded: SeededData;
  accessTokens: string[];
}

/** CPU seconds used so far by the machine, the server, the load generator and the database's backends. */
async function sampleCpu(phase: PhaseContext, server: BenchServer) {
  const backends = await listBackendPids(phase.admin, databaseUrl);
  return {
    machine: readMachineCpuSeconds(),
    server: readCpuSeconds(server.pid),
    load: readCpuSeconds(phase.generator.pid),
    database: new Map(backends.map((pid) => [pid, readCpuSeconds(pid)])),
  };
}

async function runCell(phase: PhaseContext, round: number, variant: VariantKey, connections: number, seconds: number): Promise<Cell> {
  const server = serverOf(phase.servers, variant);
  const before = await sampleCpu(phase, server);
  const wallBefore = performance.now();
  const load = await phase.generator.run({
    url: `${server.url}/trpc/auth.me`,
    connections,
    durationSeconds: seconds,
    credentials: credentialsFor(variant, phase.seeded, phase.accessTokens),
  });
  const after = await sampleCpu(phase, server);
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  // Failures are reported (the table's last column), not fatal: the widest level is there to find them.
  if (load.okResponses === 0) throw new Error(`${variant} at ${connections} connections: no request succeeded`);
  if (load.failures > 0) log(`${variant} at ${connections} connections: ${load.failures} failed requests (${load.timeouts} time-outs)`);
  const cpuSeconds = after.server - before.server;
  let databaseCpu = 0;
  for (const [pid, used] of after.database) databaseCpu += used - (before.database.get(pid) ?? 0);
  return {
    round,
    variant,
    connections,
    load,
    serverCpu: cpuSeconds / wallSeconds,
    serverCpuMicrosPerRequest: (cpuSeconds * 1e6) / load.okResponses,
    serverRssKib: readRssKib(server.pid),
    databaseCpu: databaseCpu / wallSeconds,
    otherCpu: (after.machine.busy - before.machine.busy - cpuSeconds - (after.load - before.load) - databaseCpu) / wallSeconds,
    stolenCpu: (after.machine.steal - before.machine.steal) / wallSeconds,
  };
}

/**
 * Statements per request from pg_stat_database: for each variant a fresh server, exactly N
 * requests, then the server is stopped so its connections close and flush their statistics. A
 * second fresh server of the variant that answers no request is counted the same way and
 * subtracted: what a server sends by starting (its readiness check, the outbox's first poll) is
 * not sent for a request.
 */
async function countStatements(
  admin: Awaited<ReturnType<typeof connectAdmin>>,
  generator: LoadGenerator,
  seeded: SeededData,
  accessTokens: string[],
  meBody: string,
): Promise<Record<VariantKey, StatementCount>> {
  const counts = {} as Record<VariantKey, StatementCount>;
  /** Database activity while a fresh server of `variant` starts, does `work` and stops. */
  const measureServer = async (variant: VariantKey, work: (url: string) => Promise<void>) => {
    await waitForNoConnections(admin, databaseUrl);
    const before = await readDatabaseActivity(admin, databaseUrl);
    // The cache off: every request here carries a token not sent before, so with the cache each
    // would be a miss anyway (one statement), and its once-a-second heartbeat would be counted as
    // if requests had sent it. Hits send none (auth/session-cache.test.ts).
    const server = await startServerFor(variant, meBody, { ...uncachedOptions, cpuProfileDir: null });
    try {
      await work(server.url);
    } finally {
      await server.stop();
    }
    await waitForNoConnections(admin, databaseUrl);
    const after = await readDatabaseActivity(admin, databaseUrl);
    return { transactions: after.transactions - before.transactions, rowsWritten: after.rowsWritten - before.rowsWritten };
  };
  for (const variant of VARIANT_KEYS) {
    let requests = 0;
    const loaded = await measureServer(variant, async (url) => {
      const load = await generator.run({
        url: `${url}/trpc/auth.me`,
        connections: STATEMENT_COUNT_CONNECTIONS,
        durationSeconds: 60,
        amount: settings.statementCountRequests,
        credentials: credentialsFor(variant, seeded, accessTokens),
      });
      if (load.failures > 0) throw new Error(`${variant}: ${load.failures} failed requests while counting statements`);
      requests = load.okResponses;
    });
    const idle = await measureServer(variant, async () => {});
    counts[variant] = {
      requests,
      transactions: loaded.transactions - idle.transactions,
      rowsWritten: loaded.rowsWritten - idle.rowsWritten,
    };
    log(`${variant}: ${(counts[variant].transactions / requests).toFixed(3)} statements per request (${idle.transactions} at start-up left out)`);
  }
  return counts;
}

/** packages/bench/src/password.ts in its own process, pinned to the server core. */
function benchPasswords(): PasswordBenchResult {
  const args = ["--import", "tsx", "packages/bench/src/password.ts", "--json", "--seconds", String(settings.passwordSeconds)];
  const child = spawnSync(process.execPath, [...args, "--core", String(serverCore ?? 0)], { cwd: REPO_ROOT, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`bench-password failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as PasswordBenchResult;
}

async function main() {
  const admin = await connectAdmin(databaseUrl);
  let generator: LoadGenerator | null = null;
  let servers: Servers | null = null;
  try {
    log("Preparing the database (migrate deploy, 1,000 users, 10,000 sessions)…");
    await prepareDatabase(admin, databaseUrl);
    const seeded = await seedDatabase(databaseUrl, config.session);
    const postgresVersion = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;

    log("Building the server (pnpm --filter @latchkey/server build)…");
    await run("pnpm", ["--filter", "@latchkey/server", "build"]);

    generator = startLoadGenerator(loadCore);
    // The production server first: its auth.me answer is the body every other variant returns.
    const api = await startProductionServer(serverOptions);
    const meBody = await getOk(`${api.url}/trpc/auth.me`, { headers: { cookie: `${SESSION_COOKIE}=${seeded.cookieTokens[0]}` } });
    await api.stop();
    await waitForNoConnections(admin, databaseUrl);
    const activityBefore = await readDatabaseActivity(admin, databaseUrl);

    servers = await startServers(meBody);
    const streams = Math.max(...settings.connections);
    const phase: PhaseContext = { admin, generator, servers, seeded, accessTokens: [] };
    let issuedAt = Date.now();
    phase.accessTokens = await issueAccessTokens(servers.api.url, seeded.bearerTokens.slice(0, streams));
    await checkResponses(servers, seeded, phase.accessTokens, meBody);

    log(`Warming up (${settings.warmUpSeconds} s per variant at ${streams} connections)…`);
    for (const variant of VARIANT_KEYS) await runCell(phase, 0, variant, streams, settings.warmUpSeconds);

    const cells: Cell[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      // Access tokens live ACCESS_TOKEN_TTL_SECONDS: renew them between rounds, never inside one.
      if (Date.now() - issuedAt > (ACCESS_TOKEN_TTL_SECONDS * 1000) / 2) {
        issuedAt = Date.now();
        phase.accessTokens = await issueAccessTokens(servers.api.url, seeded.bearerTokens.slice(0, streams));
      }
      // Each round starts one variant later, so no variant always runs first or last.
      const order = VARIANT_KEYS.map((_, index) => VARIANT_KEYS[(index + round - 1) % VARIANT_KEYS.length]!);
      for (const connections of settings.connections) {
        for (const variant of order) {
          const cell = await runCell(phase, round, variant, connections, settings.durationSeconds);
          cells.push(cell);
          log(`round ${round}/${settings.rounds}, ${connections} conn., ${variant}: ${Math.round(cell.load.requestsPerSecond)} req/s`);
        }
      }
    }
    const rssKib = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, readRssKib(server.pid)]));
    const pinned = { server: Object.values(servers).every((server) => server.pinned), loadGenerator: generator.pinned };
    await stopServers(servers);
    servers = null;
    await waitForNoConnections(admin, databaseUrl);
    const activityAfter = await readDatabaseActivity(admin, databaseUrl);

    log("Counting SQL statements per request (pg_stat_database, a fresh server per variant)…");
    const counts = await countStatements(admin, generator, seeded, phase.accessTokens, meBody);
    const renewedSessions = await countRenewedSessions(databaseUrl, seeded.seededAt);

    log("Measuring argon2id on one core…");
    const password = benchPasswords();

    const finishedAt = new Date();
    if (finishedAt.getTime() - seeded.seededAt.getTime() >= RENEWAL_INTERVAL_MINUTES * 60_000) {
      throw new Error("The run outlasted the renewal interval, so renewal writes may have been measured.");
    }
    const rows = summarize(cells, counts);
    const targets = judgeTargets(cells, rows);
    const machine = {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores,
      memoryGib: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: postgresVersion,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
    };
    const pinning =
      serverCore === null
        ? "not pinned (one core)"
        : pinned.server && pinned.loadGenerator
          ? `taskset worked: servers on core ${serverCore}, load generator on core ${loadCore}; PostgreSQL unpinned`
          : "taskset failed: processes not pinned";
    const writesDuringRounds = activityAfter.rowsWritten - activityBefore.rowsWritten;
    const markdown = [
      `Run ${startedAt.toISOString()}: ${settings.rounds} round(s) × ${settings.durationSeconds} s per cell, connections ${settings.connections.join(" and ")}, ` +
        `${cells.length} cells${quick ? " (--quick)" : ""}.`,
      `Machine: ${machine.cpu}, ${cores} cores, ${machine.memoryGib} GiB; Node ${machine.node}; PostgreSQL ${postgresVersion}; ` +
        `load average at start ${loadAverageAtStart.map((n) => n.toFixed(2)).join(" ")}. ${pinning}. DB pool: ${config.databasePoolMax} connections, named statements ${config.databaseNamedStatements ? "on" : "off"}.`,
      "",
      renderTable(rows),
      "",
      `Rows written during the timed rounds: ${writesDuringRounds}; sessions renewed: ${renewedSessions} (renewal interval ${RENEWAL_INTERVAL_MINUTES} min).`,
      describeOtherLoad(cells, cores),
      `Sign-in: ${password.parameters}: ${password.hashesPerSecond.toFixed(1)} hashes/s on one core (${password.msPerHash.toFixed(1)} ms each), ` +
        `${password.verificationsPerSecond.toFixed(1)} verifications/s.`,
      "",
      "Targets:",
      renderTargets(targets),
    ].join("\n");

    const chart = renderChart(rows, [
      `pnpm bench, ${startedAt.toISOString().slice(0, 16)}Z${quick ? " (--quick)" : ""}: ${settings.rounds} round(s) × ${settings.durationSeconds} s per cell, medians over rounds`,
      `${machine.cpu}, ${cores} cores, Node ${machine.node}, PostgreSQL ${postgresVersion}; ${pinning}`,
    ]);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(path.join(ARTIFACTS_DIR, "results.md"), `${markdown}\n`);
    writeFileSync(path.join(ARTIFACTS_DIR, "chart.svg"), chart);
    if (!quick) writeFileSync(DOCS_CHART, chart);
    writeFileSync(
      path.join(ARTIFACTS_DIR, "results.json"),
      `${JSON.stringify(
        {
          startedAt,
          finishedAt,
          settings,
          machine,
          pinning,
          databasePoolMax: config.databasePoolMax,
          rows,
          targets,
          statementCounts: counts,
          writesDuringRounds,
          renewedSessions,
          password,
          cells,
        },
        null,
        2,
      )}\n`,
    );
    console.log(markdown);
    log(`Saved ${path.relative(REPO_ROOT, ARTIFACTS_DIR)}/results.md, results.json and chart.svg${quick ? "" : `, and ${path.relative(REPO_ROOT, DOCS_CHART)}`}`);
  } finally {
    if (servers) await stopServers(servers);
    generator?.stop();
    await admin.end();
  }
}

async function soak() {
  log("Building the server (pnpm --filter @latchkey/server build)…");
  await run("pnpm", ["--filter", "@latchkey/server", "build"]);
  const settings = {
    ...DEFAULT_SOAK_SETTINGS,
    ...(flags.duration ? { durationSeconds: Number(flags.duration) } : {}),
    ...(flags.rate ? { requestsPerSecond: Number(flags.rate) } : {}),
  };
  const passed = await runSoak({ databaseUrl, serverEnv, sessionPolicy: config.session, settings, log });
  process.exit(passed ? 0 : 1);
}

if (flags.soak) await soak();
else await main();
