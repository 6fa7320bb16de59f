// Browser end-to-end for sign-in providers: the built app served by the real API, a real OpenID
// Connect provider (oidc-provider) on loopback, Chromium. A newcomer signs up through the provider;
// an existing account is not taken over by it, links it in sudo mode, signs in with it, unlinks it
// and signs in with the password again.
// Needs apps/web/dist (`pnpm test` builds it) and Debian's Chromium (CHROMIUM_PATH to override).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOidcProvider, type LocalOidcProvider } from "../../scripts/lib/local-oidc-provider.ts";
import { connectToChromium, openDevice, requireBuiltWebApp, saveScreenshot, WEB_DIST_DIR } from "../setup/browser.ts";
import { getFreePort, startTestServer, type TestServer } from "../setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../setup/server.ts";

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

const openPage = () => openDevice(browser, { baseURL: baseUrl }, pageProblems);

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
  // The URL changes before the lazily loaded sign-in page has replaced the last page.
  await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
}

beforeAll(async () => {
  requireBuiltWebApp();
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
  browser = await connectToChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await provider?.close();
  await db.$disconnect();
});

describe("signing in with an OpenID Connect provider in the browser", () => {
  it("signs a newcomer up through the provider, with no password", async () => {
    const page = await openPage();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await logInAtProvider(page, newcomer.login);
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText(newcomer.name).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByText("This account has no password: you sign in through a provider.").waitFor();
    expect(await page.getByRole("form", { name: "Change password" }).count()).toBe(0);
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Linked").waitFor();
    await saveScreenshot(page, "oauth-01-newcomer-signed-up");
    expect(pageProblems).toEqual([]);
  });

  it("links the provider to an existing account, signs in with it, unlinks it, and signs in with the password again", async () => {
    await createTestUser(db, { email: adaEmail, name: "Ada Lovelace" });
    const page = await openPage();

    // The provider's verified email matches Ada's account: it is not taken over.
    await page.goto("/sign-in");
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await logInAtProvider(page, adaAtProvider.login);
    await page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("oauth_error") === "account_exists");
    await page.getByRole("alert").getByText(/An account with this email already exists/).waitFor();
    await saveScreenshot(page, "oauth-02-existing-account-not-taken-over");

    // Signed in with the password (a fresh sign-in is sudo mode), Ada links the provider.
    await page.getByLabel("Email", { exact: true }).fill(adaEmail);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: `Link ${PROVIDER_NAME}` }).click();
    // The provider remembers Ada from a moment ago: straight back, linked.
    await page.waitForURL((url) => url.pathname === "/account" && url.searchParams.get("oauth_linked") === "oidc");
    await page.getByText(`${PROVIDER_NAME} is now linked to your account.`).waitFor();
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Linked").waitFor();
    await saveScreenshot(page, "oauth-03-provider-linked");

    // Signed out, the provider now signs her in to her own account.
    await signOut(page);
    await page.getByRole("link", { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText("Ada Lovelace").waitFor();
    await saveScreenshot(page, "oauth-04-signed-in-with-provider");

    // The provider sign-in just happened, so unlinking runs in sudo mode without a prompt.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: `Unlink ${PROVIDER_NAME}` }).click();
    await page.getByRole("listitem", { name: PROVIDER_NAME }).getByText("Not linked").waitFor();
    await saveScreenshot(page, "oauth-05-provider-unlinked");

    // The password still works.
    await signOut(page);
    await page.getByLabel("Email", { exact: true }).fill(adaEmail);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await page.getByText("Ada Lovelace").waitFor();
    await saveScreenshot(page, "oauth-06-password-sign-in-again");
    expect(pageProblems).toEqual([]);
  });
});
