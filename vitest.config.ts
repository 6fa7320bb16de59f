// One test run for the whole workspace (`pnpm test` wraps it): server unit, router and HTTP tests,
// web component tests and the browser end-to-end suite, on migrated databases (tests/setup/global-database.ts).
import { defineConfig } from "vitest/config";

// Test files at once. Vitest's default is one fewer than the cores, so a single file at a time on
// two cores, where a serial run kept only half a core busy: most files wait on a browser, a child
// process, the database or a deliberate delay (uniform answer times, drain delays). Files share the
// database (each makes its own uniquely named rows), so any number can run side by side.
// `pnpm test --maxWorkers=N` overrides it.
const MAX_WORKERS = 3;

export default defineConfig({
  test: {
    globalSetup: ["tests/setup/global-database.ts"],
    maxWorkers: MAX_WORKERS,
    projects: [
      {
        test: {
          name: "server",
          include: ["apps/server/src/**/*.test.ts", "apps/cli/src/**/*.test.ts", "scripts/**/*.test.ts", "packages/bench/src/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        extends: "apps/web/vite.config.ts",
        test: {
          name: "web",
          root: "apps/web",
          include: ["src/**/*.test.{ts,tsx}", "vite-api-proxy.test.ts"],
          environment: "happy-dom",
          setupFiles: ["src/testing/setup.ts"],
        },
      },
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
