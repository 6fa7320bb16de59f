// Shared setup for the browser end-to-end tests: the built web app, the run's one Chromium
// (tests/setup/global-browser.ts) driven by playwright-core, one browser context per device,
// screenshots, and the page problems (uncaught errors, CSP violations) a test fails on at its end.
// `useBrowserApp` serves the app from the real API on a free port for tests that need nothing else running.
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type Page, type BrowserContextOptions } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import type { Database } from "../../apps/server/src/db.ts";
import { createHttpServer } from "../../apps/server/src/http-server.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { getFreePort } from "./http.ts";
import type {} from "./provided-context.ts";
import { createTestConfig, createTestDatabase } from "./server.ts";

export const WEB_DIST_DIR = path.join(REPO_ROOT, "apps/web/dist");
const SCREENSHOT_DIR = path.join(REPO_ROOT, "artifacts/e2e");
// The first page load compiles nothing but may still wait on argon2 and a cold database, and other
// test files run beside this one: 15 s was too short on a busy 2-core machine.
export const UI_TIMEOUT_MS = 30_000;

/** Throws unless `pnpm --filter @latchkey/web build` has run; makes the screenshot folder. */
export function requireBuiltWebApp(): void {
  if (!existsSync(path.join(WEB_DIST_DIR, "index.html"))) {
    throw new Error("apps/web/dist/index.html is missing: run `pnpm --filter @latchkey/web build` first");
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
}

/**
 * A connection of this test file's own to the run's Chromium. Closing it closes every context the
 * file opened and leaves the browser to the other files.
 */
export function connectToChromium(): Promise<Browser> {
  return chromium.connect(inject("browserWsEndpoint"));
}

/** A browser context of its own (its own cookie jar, like a separate device); problems go to `problems`. */
export async function openDevice(
  browser: Browser | undefined,
  options: BrowserContextOptions & { baseURL: string },
  problems: string[],
): Promise<Page> {
  if (!browser) throw new Error("the browser did not start");
  const context = await browser.newContext(options);
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) problems.push(`CSP: ${message.text()}`);
  });
  return page;
}

export async function saveScreenshot(page: Page, step: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${step}.png`), fullPage: true });
}

/**
 * The app and a browser for one test file: started before its tests, closed after. `host: "localhost"`
 * for WebAuthn, whose relying party ID cannot be an IP address.
 */
export function useBrowserApp(options: { host?: "127.0.0.1" | "localhost" } = {}) {
  let db: Database | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let baseUrl = "";
  const pageProblems: string[] = [];

  beforeAll(async () => {
    requireBuiltWebApp();
    const port = await getFreePort();
    baseUrl = `http://${options.host ?? "127.0.0.1"}:${port}`;
    db = createTestDatabase();
    const config = createTestConfig({ APP_ORIGIN: baseUrl, WEB_DIST_DIR, PORT: String(port) });
    const httpServer = createHttpServer({ db, config });
    server = httpServer;
    await new Promise<void>((resolve, reject) => httpServer.once("error", reject).listen(port, "127.0.0.1", resolve));
    browser = await connectToChromium();
  });

  afterAll(async () => {
    // Closing the connection closes every context (device) the test opened.
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
    /** The app's database, for a test to look at what a step stored. */
    get db(): Database {
      if (!db) throw new Error("the app has not started");
      return db;
    },
    openDevice: (options: BrowserContextOptions = {}) => openDevice(browser, { baseURL: baseUrl, ...options }, pageProblems),
    saveScreenshot,
  };
}
