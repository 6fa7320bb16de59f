// `pnpm test`: builds the web app (the browser tests drive the production build), runs every
// vitest project once, and ends with one `N passed, N failed` line. Extra arguments go to vitest,
// e.g. `pnpm test --project server`. DATABASE_URL set: tests run on that PostgreSQL.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensurePrismaClient } from "./lib/prisma-cli.ts";
import { REPO_ROOT } from "./lib/repo-root.ts";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const vitestArgs = process.argv.slice(2);
await ensurePrismaClient((line) => console.log(`› ${line}`)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const browserTestsSelected = vitestArgs.length === 0 || vitestArgs.some((arg) => arg.includes("e2e"));

if (browserTestsSelected) {
  console.log("› Building the web app for the browser tests…");
  if ((await run("pnpm", ["--filter", "@latchkey/web", "build"])) !== 0) {
    console.error("The web app did not build; no tests were run.");
    process.exit(1);
  }
}

console.log(`› Running tests on ${process.env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : "the embedded database (in memory)"}…`);
const reportDir = mkdtempSync(path.join(tmpdir(), "latchkey-test-"));
const reportFile = path.join(reportDir, "report.json");
const code = await run(path.join(REPO_ROOT, "node_modules", ".bin", "vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${reportFile}`,
  ...vitestArgs,
]);

try {
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as { numPassedTests: number; numFailedTests: number };
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed`);
} catch {
  console.error("\nvitest wrote no report: it failed before running tests (see above).");
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
process.exit(code);
