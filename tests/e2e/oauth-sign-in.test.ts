// Browser end-to-end for sign-in providers: the built app served by the real API, a real OpenID
// Connect provider (oidc-provider) on loopback, Chromium. A newcomer signs up through the provider;
// an existing account is not taken over by it, links it in sudo mode, signs in with it, unlinks it
// and signs in with the password again.
// Needs apps/web/dist (`pnpm test` builds it) and Debian's Chromium (CHROMIUM_PATH to override).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOidcProvider, type LocalOidcProvider } from "../../scripts/lib/local-oidc-provider.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { getFreePort, startTestServer, type TestServer } from "../setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../setup/server.ts";

const WEB_DIST_DIR = path.join(REPO_ROOT, "apps/web/dist");
const SCREENSHOT_DIR = path.join(REPO_ROOT, "artifacts/e2e");
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const UI_TIMEOUT_MS = 15_000;
const CLIENT = { clientId: "latchkey-e2e", clientSecret: "latchkey-e2e-secret" };
const PROVIDER_NAME = "Local OIDC";

const db = createTestDatabase();
const newcomer = { login: `newcomer-${crypto.randomUUID()}`, email: uniqueEmail("e2e-newcomer"), emailVerified: true, name: "Nia Newcomer" };
const adaEmail = uniqueEmail("e2e-ada");
// Ada's identity at the provider, with the same (verified) email as her existing account.
const adaAtProvider = { login: `ada-${crypto.randomUUID()}`, email: adaEmail, emailVerified: true, name: "Ada at the provider" };
let provider: LocalOidcProvider | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
let baseUrl: string;
const pageProblems: string[] = [];

async function openDevice(): Promise<Page> {
  if (!browser) throw new Error("the browser did not start");
  const context = await browser.newContext({ baseURL: baseUrl });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) pageProblems.push(`CSP: ${message.text()}`);
  });
  return page;
}

async function saveScreenshot(page: Page, step: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `oauth-${step}.png`), fullPage: true });
}

/** At the provider's (development) login form: the login names the account, the password is not checked. */
async function logInAtProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((url) => url.origin === provider!.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("not checked");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/sign-in");
}

beforeAll(async () => {
  if (!existsSync(path.join(WEB_DIST_DIR, "index.html"))) {
    throw new Error("apps/web/dist/index.html is missing: run `pnpm --filter @latchkey/web build` first");
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const port = await getFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  provider = await startLocalOidcProvider({
    port: 0,
    clients: [{ ...CLIENT, redirectUris: [`${baseUrl}/auth/oauth/oidc/callback`] }],
    accounts: [newcomer, adaAtProvider],
  });
  const config = createTestConfig({
    APP_ORIGIN: baseUrl,
    WEB_DIST_DIR,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.clientId,
    OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    OIDC_NAME: PROVIDER_NAME,
  });
  server = await startTestServer({ db, config }, { port });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await provider?.close();
  await db.$disconnect();
});

describe("signing in with an OpenID Connect provider in the browser", () => {
  it("signs a newcomer up through the provider, with no password", async () => {
    const page = await openDevice();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await logInAtProvider(page, newcomer.login);
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText(newcomer.name).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByText("This account has no password: you sign in through a provider.").waitFor();
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Linked").waitFor();
    await saveScreenshot(page, "01-newcomer-signed-up");
    expect(pageProblems).toEqual([]);
  });

  it("links the provider to an existing account, signs in with it, unlinks it, and signs in with the password again", async () => {
    await createTestUser(db, { email: adaEmail, name: "Ada Lovelace" });
    const page = await openDevice();

    // The provider's verified email matches Ada's account: it is not taken over.
    await page.goto("/sign-in");
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await logInAtProvider(page, adaAtProvider.login);
    await page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("oauth_error") === "account_exists");
    await page.getByRole("alert").getByText(/An account with this email already exists/).waitFor();
    await saveScreenshot(page, "02-existing-account-not-taken-over");

    // Signed in with the password (a fresh sign-in is sudo mode), Ada links the provider.
    await page.getByLabel("Email").fill(adaEmail);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: `Link ${PROVIDER_NAME}` }).click();
    // The provider remembers Ada from a moment ago: straight back, linked.
    await page.waitForURL((url) => url.pathname === "/account" && url.searchParams.get("oauth_linked") === "oidc");
    await page.getByText(`${PROVIDER_NAME} is now linked to your account.`).waitFor();
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Linked").waitFor();
    await saveScreenshot(page, "03-provider-linked");

    // Signed out, the provider now signs her in to her own account.
    await signOut(page);
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText("Ada Lovelace").waitFor();
    await saveScreenshot(page, "04-signed-in-with-provider");

    // The provider sign-in just happened, so unlinking runs in sudo mode without a prompt.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: `Unlink ${PROVIDER_NAME}` }).click();
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Not linked").waitFor();
    await saveScreenshot(page, "05-provider-unlinked");

    // The password still works.
    await signOut(page);
    await page.getByLabel("Email").fill(adaEmail);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText("Ada Lovelace").waitFor();
    await saveScreenshot(page, "06-password-sign-in-again");
    expect(pageProblems).toEqual([]);
  });
});
