// HAProxy (Debian's `haproxy` package) running docs/haproxy.cfg, the configuration that
// docs/deployment.md recommends, plus a stats listener through which tests see each server's state.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { getFreePort } from "./http.ts";

const CONFIG = path.join(REPO_ROOT, "docs", "haproxy.cfg");
const BINARY = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
const STATS_CONFIG = `listen stats
  bind "\${HAPROXY_STATS_BIND}"
  stats enable
  stats uri /stats
`;
const WAIT_TIMEOUT_MS = 30_000;

export interface Haproxy {
  url: string;
  /** Each server's state as HAProxy sees it (api1: "UP", api2: "DOWN 1/2", ...) and its total requests. */
  readServers(): Promise<Map<string, { status: string; sessions: number }>>;
  /** Waits until every named server is UP (health checks passed `rise` times). */
  waitUntilUp(names: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startHaproxy(instancePorts: number[]): Promise<Haproxy> {
  const port = await getFreePort();
  const statsPort = await getFreePort();
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-haproxy-"));
  const statsConfig = path.join(dir, "stats.cfg");
  writeFileSync(statsConfig, STATS_CONFIG);
  const env: Record<string, string> = {
    LATCHKEY_BIND: `127.0.0.1:${port}`,
    HAPROXY_STATS_BIND: `127.0.0.1:${statsPort}`,
  };
  instancePorts.forEach((instancePort, index) => (env[`LATCHKEY_API${index + 1}`] = `127.0.0.1:${instancePort}`));
  // -db: stay in the foreground, so stopping the child stops HAProxy.
  const child = spawn(BINARY, ["-db", "-f", CONFIG, "-f", statsConfig], { env, stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const readServers = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n").map((line) => line.split(","));
    const column = (name: string) => header!.indexOf(name);
    const servers = new Map<string, { status: string; sessions: number }>();
    for (const row of rows) {
      if (row[column("pxname")] !== "api" || row[column("svname")] === "BACKEND") continue;
      servers.set(row[column("svname")]!, { status: row[column("status")]!, sessions: Number(row[column("stot")]) });
    }
    return servers;
  };

  const haproxy: Haproxy = {
    url: `http://127.0.0.1:${port}`,
    readServers,
    async waitUntilUp(names) {
      const deadline = Date.now() + WAIT_TIMEOUT_MS;
      for (;;) {
        const servers = await readServers().catch(() => new Map<string, { status: string }>());
        if (names.every((name) => servers.get(name)?.status === "UP")) return;
        if (child.exitCode !== null) throw new Error(`haproxy exited:\n${errors}`);
        if (Date.now() > deadline) throw new Error(`HAProxy never saw ${names.join(", ")} UP: ${JSON.stringify([...servers])}\n${errors}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return haproxy;
}
