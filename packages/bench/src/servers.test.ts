// The bench measures the API as `pnpm start` runs it: the environment the start script adds is the
// one the bench's production servers get.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { START_SCRIPT_ENV } from "./servers.ts";

it("starts the API with what `pnpm start` adds to the environment", () => {
  const start = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const dir = mkdtempSync(path.join(tmpdir(), "bench-start-env-"));
  try {
    mkdirSync(path.join(dir, "apps/server/dist"), { recursive: true });
    writeFileSync(path.join(dir, "apps/server/dist/index.js"), "console.log(JSON.stringify(process.env));\n");
    const result = spawnSync("sh", ["-c", start], { cwd: dir, env: { PATH: process.env.PATH }, encoding: "utf8" });
    const added = Object.fromEntries(Object.entries(JSON.parse(result.stdout) as Record<string, string>).filter(([name]) => !["PATH", "PWD", "SHLVL", "_"].includes(name)));
    expect(added).toEqual(START_SCRIPT_ENV);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
