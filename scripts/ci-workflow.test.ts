// The GitHub Actions workflow an app ships with: it must run the commands the README promises,
// and every `pnpm <script>` it runs must exist, or CI fails on its first push.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "./lib/repo-root.ts";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { container?: string; services?: Record<string, { image: string }>; steps: Step[] }>;
}

// pnpm's own commands, which need no script in package.json.
const PNPM_COMMANDS = new Set(["install", "exec", "dlx"]);

const workflow = parse(readFileSync(path.join(REPO_ROOT, ".github/workflows/ci.yml"), "utf8")) as Workflow;
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; packageManager: string };
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const commands = steps.flatMap((step) => (step.run ?? "").split(/\n|&&/).map((command) => command.trim()).filter(Boolean));

describe(".github/workflows/ci.yml", () => {
  it("runs only pnpm scripts that package.json has", () => {
    const pnpmCommands = commands.filter((command) => command.startsWith("pnpm "));
    expect(pnpmCommands.length).toBeGreaterThan(0);
    for (const command of pnpmCommands) {
      const name = command.split(/\s+/)[1]!;
      expect(PNPM_COMMANDS.has(name) || name in manifest.scripts, `"${command}": no script "${name}" in package.json`).toBe(true);
    }
  });

  it("installs from the lockfile, typechecks, and runs the README's test command on both databases", () => {
    expect(commands).toEqual(expect.arrayContaining(["pnpm install --frozen-lockfile", "pnpm typecheck", "pnpm test"]));
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("| `pnpm test` |");
    const testSteps = steps.filter((step) => step.run === "pnpm test");
    expect(testSteps.map((step) => step.env?.DATABASE_URL ?? null)).toEqual([null, expect.stringMatching(/^postgresql:\/\/postgres@postgres:5432\//)]);
  });

  it("gets pnpm from packageManager with a pnpm cache, a PostgreSQL service and Debian's chromium", () => {
    const [job] = Object.values(workflow.jobs);
    expect(manifest.packageManager).toMatch(/^pnpm@\d/);
    expect(steps.find((step) => step.uses?.startsWith("pnpm/action-setup@"))?.with?.version).toBeUndefined();
    expect(steps.find((step) => step.uses?.startsWith("actions/setup-node@"))?.with).toMatchObject({ cache: "pnpm" });
    expect(job!.container).toMatch(/bookworm/);
    expect(job!.services?.postgres?.image).toMatch(/^postgres:\d+$/);
    expect(commands).toContain("apt-get install -y -qq --no-install-recommends chromium");
    expect(Object.keys(workflow.on)).toEqual(["push", "pull_request"]);
  });
});
