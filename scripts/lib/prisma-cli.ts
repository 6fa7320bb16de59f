// Runs the Prisma CLI of this workspace. On machines where Prisma cannot download its native
// schema engine, a stand-in can be named by PRISMA_SCHEMA_ENGINE_BINARY (docs/decisions/002).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { REPO_ROOT } from "./repo-root.ts";

const PRISMA_BIN = path.join(REPO_ROOT, "node_modules", ".bin", "prisma");
// Written by `prisma generate` (prisma/schema.prisma names the folder; .gitignore keeps it out of git).
const GENERATED_CLIENT = path.join(REPO_ROOT, "apps", "server", "src", "generated", "prisma", "client.ts");
const STANDIN_ENGINE = path.resolve(REPO_ROOT, "..", "shared", "prisma-engine", "schema-engine");

function hasNativeSchemaEngine(): boolean {
  try {
    const require = createRequire(path.join(REPO_ROOT, "node_modules", "prisma", "package.json"));
    const enginesDir = path.dirname(require.resolve("@prisma/engines/package.json"));
    return readdirSync(enginesDir).some((name) => name.startsWith("schema-engine-"));
  } catch {
    return false;
  }
}

/** The environment for a Prisma CLI run: stock Prisma unless its engine is missing and the stand-in exists. */
export function createPrismaEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (base.PRISMA_SCHEMA_ENGINE_BINARY || hasNativeSchemaEngine() || !existsSync(STANDIN_ENGINE)) {
    return { ...base };
  }
  return { ...base, PRISMA_SCHEMA_ENGINE_BINARY: STANDIN_ENGINE };
}

/** Runs `prisma <args>` with inherited output; resolves with its exit code. */
export function runPrisma(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(PRISMA_BIN, args, { cwd: REPO_ROOT, env: createPrismaEnv(env), stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Runs `prisma <args>` and throws when it fails. */
export async function requirePrisma(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const code = await runPrisma(args, env);
  if (code !== 0) throw new Error(`prisma ${args.join(" ")} failed (exit ${code})`);
}

/**
 * Generates the Prisma client when it is missing: `pnpm install` does it in postinstall, but a
 * failed first install leaves none, and a second install that finds nothing to do does not retry.
 */
export async function ensurePrismaClient(report: (line: string) => void): Promise<void> {
  if (existsSync(GENERATED_CLIENT)) return;
  report("The Prisma client is missing (did the first `pnpm install` fail?); generating it with `pnpm prisma generate`…");
  const code = await runPrisma(["generate"]);
  if (code !== 0) throw new Error("prisma generate failed (see above). Fix what it says, then run `pnpm prisma generate`.");
}
