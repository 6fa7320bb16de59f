// Browser end-to-end setup: the built web app served by the real API on a free port, and Debian's
// Chromium (CHROMIUM_PATH to override) driven by playwright-core. Needs apps/web/dist (`pnpm test`
// builds it). Uncaught page errors and CSP violations are collected for the test to assert on.
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { Database } from "../../apps/server/src/db.ts";
import { createHttpServer } from "../../apps/server/src/http-server.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { getFreePort } from "./http.ts";
import { createTestConfig, createTestDatabase } from "./server.ts";

const WEB_DIST_DIR = path.join(REPO_ROOT, "apps/web/dist");
const SCREENSHOT_DIR = path.join(REPO_ROOT, "artifacts/e2e");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
// The first page load compiles nothing but may still wait on argon2 and a cold database.
export const UI_TIMEOUT_MS = 15_000;

/** The app and a browser for one test file: started before its tests, closed after. */
export function useBrowserApp() {
  let db: Database | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let baseUrl = "";
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(WEB_DIST_DIR, "index.html"))) {
      throw new Error("apps/web/dist/index.html is missing: run `pnpm --filter @latchkey/web build` first");
    }
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const port = await getFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    db = createTestDatabase();
    const config = createTestConfig({ APP_ORIGIN: baseUrl, WEB_DIST_DIR, PORT: String(port) });
    const httpServer = createHttpServer({ db, config });
    server = httpServer;
    await new Promise<void>((resolve, reject) => httpServer.once("error", reject).listen(port, "127.0.0.1", resolve));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    // Closing the browser closes every context (device) the test opened.
    await browser?.close();
    if (server) {
      const httpServer = server;
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
    await db?.$disconnect();
  });

  return {
    pageProblems,
    get baseUrl() {
      return baseUrl;
    },
    /** A browser context of its own: its own cookie jar, like a separate device. */
    async openDevice(options: { userAgent?: string } = {}): Promise<Page> {
      if (!browser) throw new Error("the browser did not start");
      const context = await browser.newContext({ baseURL: baseUrl, ...options });
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      const page = await context.newPage();
      page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && message.text().includes("Content Security Policy")) {
          pageProblems.push(`CSP: ${message.text()}`);
        }
      });
      return page;
    },
    async saveScreenshot(page: Page, step: string): Promise<void> {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${step}.png`), fullPage: true });
    },
  };
}
