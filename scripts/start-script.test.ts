// `pnpm start` as package.json defines it, run by sh in a scratch directory with a stand-in build:
// it loads .env when there is one (the shell's variables win), stays quiet when there is none, caps
// glibc's malloc arenas, and names the fixing command when there is no build.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./lib/repo-root.ts";

const START = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function createProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "start-script-"));
  dirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function start(cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync("sh", ["-c", START], { cwd, env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
}

const PRINT_ENV = "console.log(`${process.env.FROM_FILE} ${process.env.FROM_SHELL}`);\n";

describe("pnpm start", () => {
  it("loads .env when present, and a variable already set wins", () => {
    const dir = createProject({ "apps/server/dist/index.js": PRINT_ENV, ".env": "FROM_FILE=file\nFROM_SHELL=file\n" });
    const result = start(dir, { FROM_SHELL: "shell" });
    expect(result).toMatchObject({ status: 0, stdout: "file shell\n", stderr: "" });
  });

  it("runs without .env and says nothing about it", () => {
    const result = start(createProject({ "apps/server/dist/index.js": PRINT_ENV }));
    expect(result).toMatchObject({ status: 0, stdout: "undefined undefined\n", stderr: "" });
  });

  it("caps glibc's malloc arenas at 2 unless MALLOC_ARENA_MAX is set (docs/decisions/037)", () => {
    const dir = createProject({ "apps/server/dist/index.js": "console.log(process.env.MALLOC_ARENA_MAX);\n" });
    expect(start(dir)).toMatchObject({ status: 0, stdout: "2\n", stderr: "" });
    expect(start(dir, { MALLOC_ARENA_MAX: "8" })).toMatchObject({ status: 0, stdout: "8\n", stderr: "" });
  });

  it("without a build, says which command makes one instead of a module-not-found stack", () => {
    const result = start(createProject({ ".env": "FROM_FILE=file\n" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("pnpm start runs the production build, and there is none: run pnpm build first.\n");
  });
});
