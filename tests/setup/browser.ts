// Browser e2e setup: the built web app served by the real API on a free port, and Debian's
// Chromium through playwright-core. Each device is a browser context of its own (its own cookies);
// uncaught page errors and CSP violations are collected for the test to assert on.
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Database } from "../../apps/server/src/db.ts";
import { createHttpServer } from "../../apps/server/src/http-server.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { getFreePort } from "./http.ts";
import { createTestConfig, createTestDatabase } from "./server.ts";

export const WEB_DIST_DIR = path.join(REPO_ROOT, "apps/web/dist");
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "artifacts/e2e");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // The server listens on IPv4 loopback; "localhost" must not try ::1 first.
  "--host-resolver-rules=MAP localhost 127.0.0.1",
];
// The first page load compiles nothing but may still wait on argon2 and a cold database.
export const UI_TIMEOUT_MS = 15_000;

export interface BrowserApp {
  baseUrl: string;
  db: Database;
  /** Uncaught exceptions and CSP violations seen in any page. */
  pageProblems: string[];
  openDevice(options?: { userAgent?: string }): Promise<Page>;
  saveScreenshot(page: Page, step: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API with the built app at `http://<host>:<free port>` and a headless Chromium. */
export async function startBrowserApp(options: { host?: "127.0.0.1" | "localhost" } = {}): Promise<BrowserApp> {
  if (!existsSync(path.join(WEB_DIST_DIR, "index.html"))) {
    throw new Error("apps/web/dist/index.html is missing: run `pnpm --filter @latchkey/web build` first");
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const port = await getFreePort();
  const baseUrl = `http://${options.host ?? "127.0.0.1"}:${port}`;
  const db = createTestDatabase();
  const config = createTestConfig({ APP_ORIGIN: baseUrl, WEB_DIST_DIR, PORT: String(port) });
  const server: Server = createHttpServer({ db, config });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const pageProblems: string[] = [];

  return {
    baseUrl,
    db,
    pageProblems,
    async openDevice(deviceOptions = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, ...deviceOptions });
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
    async saveScreenshot(page, step) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${step}.png`), fullPage: true });
    },
    async close() {
      // Closing the browser closes every context (device) the test opened.
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.$disconnect();
    },
  };
}
