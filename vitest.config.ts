// One test run for the whole workspace (`pnpm test` wraps it): server unit, router and HTTP tests,
// web component tests and the browser end-to-end suite, on migrated databases (tests/setup/global-database.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// Test files at once. Vitest's default is one fewer than the cores, so a single file at a time on
// two cores, where a serial run kept only half a core busy: most files wait on a browser, a child
// process, the database or a deliberate delay (uniform answer times, drain delays). Files share the
// database (each makes its own uniquely named rows), so any number can run side by side.
// `pnpm test --maxWorkers=N` overrides it.
const MAX_WORKERS = 3;

const SERVER_TESTS = ["apps/server/src/**/*.test.ts", "apps/cli/src/**/*.test.ts", "scripts/**/*.test.ts", "packages/bench/src/**/*.test.ts"];

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/** Test files under the globs' folders that replace a module with `vi.mock`, relative to the root. */
function findMockingTests(globs: string[]): string[] {
  return globs.flatMap((glob) => {
    const dir = glob.slice(0, glob.indexOf("/**"));
    if (!existsSync(path.join(ROOT, dir))) return []; // a folder this checkout does not have
    return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
      .map((file) => path.posix.join(dir, file))
      .filter((file) => /\.test\.tsx?$/.test(file) && !file.includes("node_modules/") && readFileSync(path.join(ROOT, file), "utf8").includes("vi.mock("));
  });
}

// Server test files share their worker's modules (isolate: false) instead of importing the server
// afresh for each file: the project's CPU time fell by a third (docs/decisions/035). A file that
// replaces a module with vi.mock needs a module graph of its own, so those run isolated, found by
// that call rather than listed.
const MOCKING_SERVER_TESTS = findMockingTests(SERVER_TESTS);

const WEB_ROOT = "apps/web";
const WEB_TESTS = ["src/**/*.test.{ts,tsx}", "vite-api-proxy.test.ts"];
// The same for the web component tests, relative to the web app's folder (the project's root).
const MOCKING_WEB_TESTS = findMockingTests([`${WEB_ROOT}/src/**`]).map((file) => path.posix.relative(WEB_ROOT, file));
const WEB_TEST_OPTIONS = { root: WEB_ROOT, environment: "happy-dom" as const, setupFiles: ["src/testing/setup.ts"] };

export default defineConfig({
  test: {
    globalSetup: ["tests/setup/global-database.ts"],
    maxWorkers: MAX_WORKERS,
    projects: [
      {
        test: {
          name: "server",
          include: SERVER_TESTS,
          exclude: [...configDefaults.exclude, ...MOCKING_SERVER_TESTS],
          isolate: false,
          environment: "node",
          testTimeout: 20_000,
        },
      },
      // Only when some file mocks a module: a project with nothing to include has no purpose.
      ...(MOCKING_SERVER_TESTS.length === 0
        ? []
        : [
            {
              test: {
                name: "server-mocks",
                include: MOCKING_SERVER_TESTS,
                environment: "node",
                testTimeout: 20_000,
              },
            },
          ]),
      // Web files share their worker's modules and DOM as the server files do: React, Testing
      // Library and the app are not imported afresh for each file, which halved the project's CPU
      // time. The setup file unmounts what each test rendered (docs/decisions/035).
      {
        extends: `${WEB_ROOT}/vite.config.ts`,
        test: {
          ...WEB_TEST_OPTIONS,
          name: "web",
          include: WEB_TESTS,
          exclude: [...configDefaults.exclude, ...MOCKING_WEB_TESTS],
          isolate: false,
        },
      },
      ...(MOCKING_WEB_TESTS.length === 0
        ? []
        : [{ extends: `${WEB_ROOT}/vite.config.ts`, test: { ...WEB_TEST_OPTIONS, name: "web-mocks", include: MOCKING_WEB_TESTS } }]),
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          // One Chromium for all of its files, started only when e2e files run.
          globalSetup: ["tests/setup/global-browser.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
      {
        // create-latchkey's own tests (its pack step removes this project from the template).
        test: {
          name: "create",
          include: [
            "packages/create-latchkey/src/**/*.test.ts",
            "packages/create-latchkey/e2e/create-latchkey.test.ts",
            // A whole new app's install, suite and build: minutes, so CI only (.ci/run sets CI=true).
            ...(process.env.CI ? ["packages/create-latchkey/e2e/new-app.test.ts"] : []),
          ],
          environment: "node",
          testTimeout: 20_000,
          // After the other projects: its end-to-end test runs a whole new app's suite, which
          // would compete with theirs for the CPU.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
