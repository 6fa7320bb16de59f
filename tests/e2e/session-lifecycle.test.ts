// Browser end-to-end: the built web app served by the real API, driven in Chromium through a
// session's life — sign up, data that survives a reload, a second device, and revoking it — and
// every page checked with axe-core at desktop and phone width.
// Needs apps/web/dist (`pnpm test` builds it) and Debian's Chromium (CHROMIUM_PATH to override).
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import axe from "axe-core";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../apps/server/src/db.ts";
import { createHttpServer } from "../../apps/server/src/http-server.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../setup/server.ts";

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
const UI_TIMEOUT_MS = 15_000;
// The second device announces itself as a phone, so the session list tells the two apart.
const PHONE_USER_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const PASSWORD = "correct horse battery staple";
const SESSION_ENDED = "Your session has ended. Please sign in again.";
// WCAG 2.1 A and AA rules; serious and critical findings fail the test.
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

async function getFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let db: Database | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let baseUrl: string;
// Uncaught exceptions and CSP violations in any page fail the test at the end.
const pageProblems: string[] = [];

/** A browser context of its own: its own cookie jar, like a separate device. */
async function openDevice(options: BrowserContextOptions = {}): Promise<Page> {
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
}

async function saveScreenshot(page: Page, step: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${step}.png`), fullPage: true });
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
async function findAccessibilityProblems(page: Page, label: string): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate((tags) => (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
  return results.violations
    .filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ""))
    .map((violation) => `${label}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

function isSignInPage(url: URL, reason: string | null = null): boolean {
  return url.pathname === "/sign-in" && url.searchParams.get("reason") === reason;
}

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

describe("session lifecycle in the browser", () => {
  it("signs up, keeps notes across reloads, and revokes a second device", async () => {
    const email = uniqueEmail("e2e");
    const noteTitle = "Spare key is with the neighbour";

    // Device A: a visitor is sent to sign in, then creates an account.
    const pageA = await openDevice();
    await pageA.goto("/");
    await pageA.waitForURL((url) => isSignInPage(url));
    await pageA.getByRole("link", { name: "Create an account" }).click();
    await pageA.getByLabel("Name").fill("Ada Lovelace");
    await pageA.getByLabel("Email").fill(email);
    await pageA.getByLabel("Password").fill(PASSWORD);
    await pageA.getByRole("button", { name: "Sign up" }).click();
    await pageA.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    expect(new URL(pageA.url()).pathname).toBe("/");
    await saveScreenshot(pageA, "01-signed-up");

    // A note is created, and is still there after a full reload (the session cookie persists).
    const newNote = pageA.getByRole("form", { name: "New note" });
    await newNote.getByLabel("Title").fill(noteTitle);
    await newNote.getByLabel("Body").fill("Under the blue flower pot, not the red one.");
    await newNote.getByRole("button", { name: "Create note" }).click();
    await pageA.getByRole("article", { name: noteTitle }).waitFor();
    await saveScreenshot(pageA, "02-note-created");
    await pageA.reload();
    await pageA.getByRole("article", { name: noteTitle }).waitFor();
    await saveScreenshot(pageA, "03-note-after-reload");

    // Device B signs in as the same user and lands on the page it asked for.
    const pageB = await openDevice({ userAgent: PHONE_USER_AGENT });
    await pageB.goto("/sessions");
    await pageB.waitForURL((url) => isSignInPage(url) && url.searchParams.get("next") === "/sessions");
    await pageB.getByLabel("Email").fill(email);
    await pageB.getByLabel("Password").fill(PASSWORD);
    await pageB.getByRole("button", { name: "Sign in", exact: true }).click();
    await pageB.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    expect(new URL(pageB.url()).pathname).toBe("/sessions");
    await saveScreenshot(pageB, "04-second-device-signed-in");

    // Device A sees both sessions and revokes the other one.
    await pageA.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
    const sessionList = pageA.getByRole("list", { name: "Active sessions" });
    await expect.poll(() => sessionList.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await expect.poll(() => sessionList.getByText("This device").count()).toBe(1);
    await saveScreenshot(pageA, "05-sessions-two-devices");
    await sessionList.getByRole("listitem", { name: "Safari 17 on iPhone" }).getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => sessionList.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await saveScreenshot(pageA, "06-other-session-revoked");

    // Device B's next request finds its session gone: back to sign-in, told why.
    await pageB.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Notes" }).click();
    await pageB.waitForURL((url) => isSignInPage(url, "expired"));
    await pageB.getByText(SESSION_ENDED).waitFor();
    await saveScreenshot(pageB, "07-revoked-device-sent-to-sign-in");

    // A fresh load of a protected page on device B is refused too.
    await pageB.goto("/account");
    await pageB.waitForURL((url) => isSignInPage(url) && url.searchParams.get("next") === "/account");
    await pageB.getByRole("button", { name: "Sign in", exact: true }).waitFor();

    // Device A was not affected.
    await pageA.reload();
    await expect.poll(() => sessionList.getByRole("listitem").count(), { timeout: UI_TIMEOUT_MS }).toBe(1);

    expect(pageProblems).toEqual([]);
  });

  // Both widths at once: separate devices, each with its own user.
  it.concurrent.each(Object.entries(VIEWPORTS))("every page passes axe-core at %s width, and a signed-out visit logs no error", async (width, viewport) => {
    const problems: string[] = [];
    const consoleErrors: string[] = [];
    // axe is injected as an inline script, which the app's CSP rightly refuses; this device only.
    const page = await openDevice({ viewport, bypassCSP: true });
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    const audit = async (label: string) => {
      problems.push(...(await findAccessibilityProblems(page, label)));
      await saveScreenshot(page, `a11y-${width}-${label}`);
    };

    // Signed out: the app asks who is signed in and is told "nobody" without a 401.
    await page.goto("/");
    await page.waitForURL((url) => isSignInPage(url));
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    expect(consoleErrors).toEqual([]);
    await audit("sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("button", { name: "Sign up" }).waitFor();
    await audit("sign-up");
    await page.goto("/no-such-page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await audit("not-found");

    const admin = await createTestUser(db!, { name: "Grace Hopper", role: "admin" });
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText("No notes yet").waitFor();
    await audit("notes-empty");
    const newNote = page.getByRole("form", { name: "New note" });
    await newNote.getByLabel("Title").fill("Spare key is with the neighbour");
    await newNote.getByLabel("Body").fill("Under the blue flower pot, not the red one.");
    await newNote.getByRole("button", { name: "Create note" }).click();
    await page.getByRole("article", { name: "Spare key is with the neighbour" }).waitFor();
    await page.getByText("Note created.").waitFor();
    await audit("notes");

    for (const [name, heading] of [["Sessions", "Sessions"], ["Account", "Account"], ["Admin", "Admin"]] as const) {
      // On a phone the links are behind the Menu button.
      const menu = page.getByRole("button", { name: "Menu" });
      if (await menu.isVisible()) {
        await menu.click();
        if (name === "Sessions") await audit("menu-open");
      }
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await audit(name.toLowerCase());
    }
    expect(problems).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});