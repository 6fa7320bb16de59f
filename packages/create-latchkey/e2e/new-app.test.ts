// A new app end to end, from the packed tarball: it installs from the local package store,
// typechecks, passes its tests, grows a router with `pnpm gen router`, migrates, builds, starts
// and signs a seeded user in over HTTP. Minutes of work, so it runs in CI only (vitest.config.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../../scripts/lib/embedded-database.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "../../../scripts/lib/demo-users.ts";
import { renameText } from "../src/project-files.ts";
import { createCleanEnv, REPO_ROOT, run, usePackedPackage } from "./packed-package.ts";

const STANDIN_ENGINE = path.resolve(REPO_ROOT, "..", "shared", "prisma-engine", "schema-engine");
const STEP_TIMEOUT_MS = 10 * 60_000;
const APP_ORIGIN = "http://localhost:5173";
const EXPECTED_APP_SCRIPTS = [
  "ci-workflow.test.ts",
  "cleanup-sessions.ts",
  "create-dev-cert.ts",
  "dev-database.ts",
  "dev.ts",
  "gen-router.ts",
  "init-env.ts",
  "prisma.ts",
  "start-script.test.ts",
  "test.ts",
];

const { runCli, createParent } = usePackedPackage();

// The run on real PostgreSQL (CI's second pass) skips this: the new project tests itself on its
// own embedded database either way, so a second pass would only repeat the same minutes.
describe.skipIf(Boolean(process.env.DATABASE_URL))("a new app, end to end", () => {
  const timings: Array<[string, number]> = [];
  let projectDir: string;
  let env: NodeJS.ProcessEnv;
  let database: EmbeddedDatabase | null = null;

  async function step(label: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const started = performance.now();
    const result = await run(command, args, { cwd: projectDir, env: { ...env, ...extraEnv } });
    timings.push([label, performance.now() - started]);
    expect(result.code, `${label} failed:\n${result.output.slice(-6000)}`).toBe(0);
    return result.output;
  }

  beforeAll(() => {
    // On machines without Prisma's download host the schema engine stand-in beside this repo is used (docs/decisions/002).
    const engine = !process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(STANDIN_ENGINE) ? { PRISMA_SCHEMA_ENGINE_BINARY: STANDIN_ENGINE } : {};
    env = createCleanEnv(engine);
    projectDir = path.join(createParent(), "shop");
  });

  afterAll(async () => {
    await database?.stop();
    const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(["create-latchkey e2e timings:", ...timings.map(([label, ms]) => `  ${label}: ${(ms / 1000).toFixed(1)} s`), `  total: ${(total / 1000).toFixed(1)} s`].join("\n"));
  });

  it("scaffolds, installs from the package store and commits", async () => {
    const started = performance.now();
    const result = await runCli([projectDir, "--yes", "--pm", "pnpm"], { cwd: path.dirname(projectDir), env });
    timings.push(["scaffold + install + git (create-latchkey --yes)", performance.now() - started]);
    expect(result.code, result.output.slice(-6000)).toBe(0);
    expect(result.output).toMatch(/Next steps[\s\S]*cd shop[\s\S]*pnpm dev[\s\S]*pnpm test/);
    expect(readFileSync(path.join(projectDir, "README.md"), "utf8")).toMatch(/^# shop\n/);

    expect(JSON.parse(readFileSync(path.join(projectDir, "package.json"), "utf8")).name).toBe("shop");
    expect(JSON.parse(readFileSync(path.join(projectDir, "apps/server/package.json"), "utf8")).name).toBe("@shop/server");
    expect(existsSync(path.join(projectDir, "packages", "create-latchkey"))).toBe(false);
    expect(existsSync(path.join(projectDir, ".github/workflows/ci.yml"))).toBe(true);
    // Its scripts are the ones its developers run: dev, db, seed, gen, cert, env and test.
    expect(readdirSync(path.join(projectDir, "scripts")).filter((file) => file.endsWith(".ts")).sort()).toEqual(EXPECTED_APP_SCRIPTS);
    const dotEnv = parseEnv(readFileSync(path.join(projectDir, ".env"), "utf8"));
    expect(JSON.stringify(dotEnv)).not.toContain("<generated");
    // Fresh secrets: never the ones of the repository this package was packed from.
    const sourceEnvFile = path.join(REPO_ROOT, ".env");
    if (existsSync(sourceEnvFile)) {
      const sourceEnv = parseEnv(readFileSync(sourceEnvFile, "utf8"));
      for (const [name, value] of Object.entries(dotEnv)) if (/KEY|SECRET/.test(name)) expect(value).not.toBe(sourceEnv[name]);
    }

    const git = (...args: string[]) => run("git", args, { cwd: projectDir, env });
    expect((await git("log", "--format=%s")).output.trim()).toBe("Initial commit from create-latchkey");
    expect((await git("status", "--porcelain")).output).toBe("");
    const committed = (await git("ls-files")).output.split("\n");
    expect(committed).toContain("pnpm-lock.yaml");
    expect(committed).not.toContain(".env");
  }, STEP_TIMEOUT_MS);

  // Its tests run once, below, with the generated router: a separate run before it would repeat
  // minutes of the same tests (it once pushed this file past its time-out in CI).
  it("typechecks as scaffolded", async () => {
    await step("typecheck", "pnpm", ["typecheck"]);
  }, STEP_TIMEOUT_MS);

  it("grows a bookmark router with `pnpm gen router`, migrates, typechecks and passes every test", async () => {
    await step("pnpm gen router bookmark title:string url:string? done:boolean", "pnpm", ["gen", "router", "bookmark", "title:string", "url:string?", "done:boolean"]);
    database = await startEmbeddedDatabase({ dataDir: null, port: 0, shadowPort: 0 });
    const databaseEnv = { DATABASE_URL: database.url, SHADOW_DATABASE_URL: database.shadowUrl! };
    await step("pnpm prisma migrate dev --name add-bookmark", "pnpm", ["prisma", "migrate", "dev", "--name", "add-bookmark"], databaseEnv);
    const migrations = readdirSync(path.join(projectDir, "prisma/migrations"));
    const added = migrations.find((name) => name.endsWith("_add_bookmark"));
    expect(added, migrations.join(", ")).toBeDefined();
    expect(readFileSync(path.join(projectDir, "prisma/migrations", added!, "migration.sql"), "utf8")).toContain('CREATE TABLE "Bookmark"');

    await step("typecheck (with bookmark)", "pnpm", ["typecheck"]);
    const output = await step("pnpm test (every project, with bookmark)", "pnpm", ["test"]);
    expect(output).toContain("bookmark.test.ts");
    expect(output).toMatch(/^\d+ passed, 0 failed$/m);
    await step("pnpm db:seed", "pnpm", ["db:seed"], databaseEnv);
  }, STEP_TIMEOUT_MS);

  it("builds, starts, and signs a seeded user in over HTTP", async () => {
    await step("pnpm build", "pnpm", ["build"]);
    const dotEnv = parseEnv(readFileSync(path.join(projectDir, ".env"), "utf8"));
    const server = run(process.execPath, ["apps/server/dist/index.js"], {
      cwd: projectDir,
      // Production needs a mail server (SMTP_URL); signing in mails nothing, so none listens here.
      env: {
        ...env,
        ...dotEnv,
        NODE_ENV: "production",
        DATABASE_URL: database!.url,
        HOST: "127.0.0.1",
        PORT: "0",
        APP_ORIGIN,
        WEB_DIST_DIR: "apps/web/dist",
        SMTP_URL: "smtp://127.0.0.1:9",
      },
    });
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the server did not start in 30 s")), 30_000);
        server.child.stdout!.on("data", (chunk: Buffer) => {
          const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const home = await fetch(baseUrl);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<div id="root">');

      const ada = DEMO_USERS[0]!;
      const signIn = await fetch(`${baseUrl}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP_ORIGIN },
        // The app's seed uses its own name in the demo password, as in everything else.
        body: JSON.stringify({ email: ada.email, password: renameText(DEMO_PASSWORD, path.basename(projectDir)) }),
      });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
      const headers = { cookie, origin: APP_ORIGIN, "content-type": "application/json" };

      const me = (await (await fetch(`${baseUrl}/trpc/auth.me`, { headers })).json()) as { result: { data: { user: { email: string } } } };
      expect(me.result.data.user.email).toBe(ada.email);
      const notes = (await (await fetch(`${baseUrl}/trpc/note.list`, { headers })).json()) as { result: { data: unknown[] } };
      expect(notes.result.data).toHaveLength(ada.notes.length);

      const created = await fetch(`${baseUrl}/trpc/bookmark.create`, { method: "POST", headers, body: JSON.stringify({ title: "latchkey" }) });
      expect(created.status).toBe(200);
      const bookmarks = (await (await fetch(`${baseUrl}/trpc/bookmark.list`, { headers })).json()) as { result: { data: Array<{ title: string }> } };
      expect(bookmarks.result.data.map((bookmark) => bookmark.title)).toEqual(["latchkey"]);
    } finally {
      server.child.kill("SIGTERM");
      await server;
    }
  }, STEP_TIMEOUT_MS);
});
