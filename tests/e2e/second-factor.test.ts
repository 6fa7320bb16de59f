// Browser end-to-end for second factors: enrolling an authenticator app and signing in in two steps
// (the test computes codes with the server's algorithm), and a passkey registered and used through
// Chromium's virtual authenticator (Chrome DevTools Protocol, WebAuthn domain): passwordless sign-in
// and as the second step of a password sign-in. Needs apps/web/dist and Debian's Chromium.
import type { CDPSession, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { UI_TIMEOUT_MS, useBrowserApp } from "../setup/browser.ts";
import { createTestUser, TEST_PASSWORD } from "../setup/server.ts";
import { computeTotpCode } from "../setup/totp.ts";

// WebAuthn needs a secure context and a domain as RP ID: http://localhost is both (127.0.0.1 is not a domain).
const app = useBrowserApp({ host: "localhost" });

async function signInWithPassword(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function openSecurityPage(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" }).click();
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/sign-in");
}

const authenticators = new Map<Page, { cdp: CDPSession; authenticatorId: string }>();
/** A credential as WebAuthn.getCredentials returns it and WebAuthn.addCredential takes it. */
type VirtualCredential = Awaited<ReturnType<typeof readCredentials>>[number];

async function readCredentials(page: Page) {
  const { credentials } = await cdpOf(page).send("WebAuthn.getCredentials", { authenticatorId: authenticatorOf(page) });
  return credentials;
}
const cdpOf = (page: Page) => authenticators.get(page)!.cdp;
const authenticatorOf = (page: Page) => authenticators.get(page)!.authenticatorId;

/**
 * A CTAP2 platform authenticator with user verification that answers every request as if touched,
 * optionally holding a copy of a credential from another one.
 */
async function addVirtualAuthenticator(page: Page, credential?: VirtualCredential): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  authenticators.set(page, { cdp, authenticatorId });
  if (credential) await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
}

/**
 * A fresh device on the sign-in page once its autofill (conditional UI) request has started, with
 * the challenges the page is given in order: the autofill request's, then any button's.
 */
async function openSignInAwaitingAutofill(): Promise<{ page: Page; challenges: string[] }> {
  const page = await app.openDevice();
  const challenges: string[] = [];
  page.on("response", async (response) => {
    if (!response.url().includes("passkey.signInOptions")) return;
    const [envelope] = (await response.json()) as Array<{ result: { data: { challenge: string } } }>;
    challenges.push(envelope!.result.data.challenge);
  });
  await page.goto("/sign-in");
  await expect.poll(() => challenges.length, { timeout: UI_TIMEOUT_MS }).toBe(1);
  return { page, challenges };
}

describe("second factors in the browser", () => {
  it("enrols an authenticator app with a QR code, then signs in with password and code", async () => {
    const user = await createTestUser(app.db);
    const page = await app.openDevice();
    await signInWithPassword(page, user.email);
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await openSecurityPage(page);

    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    await page.getByRole("img", { name: "QR code of your authenticator key" }).waitFor();
    const key = (await page.locator(".totp-key").textContent())!;
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    await app.saveScreenshot(page, "mfa-01-totp-qr-code");
    await page.getByLabel("Code from the app").fill(computeTotpCode(key, new Date()));
    await page.getByRole("button", { name: "Turn on" }).click();
    const codes = page.getByLabel("Your recovery codes").locator("code");
    await expect.poll(() => codes.count(), { timeout: UI_TIMEOUT_MS }).toBe(10);
    await app.saveScreenshot(page, "mfa-02-recovery-codes");
    await page.getByRole("button", { name: "I have saved my recovery codes" }).click();
    await page.getByText("On: signing in asks for a code from your app.").waitFor();

    // Another device: the password alone is not enough.
    const other = await app.openDevice();
    await signInWithPassword(other, user.email);
    await other.getByRole("heading", { name: "Two-step verification" }).waitFor();
    await app.saveScreenshot(other, "mfa-03-second-factor-prompt");
    const wrong = computeTotpCode(key, new Date(), 1) === "000000" ? "111111" : "000000";
    await other.getByLabel("Code from your authenticator app").fill(wrong);
    await other.getByRole("button", { name: "Continue" }).click();
    await other.getByText("The code is incorrect or has already been used.").waitFor();
    // The enrolment used the current step; the next one is within the accepted drift and unused.
    await other.getByLabel("Code from your authenticator app").fill(computeTotpCode(key, new Date(), 1));
    await other.getByRole("button", { name: "Continue" }).click();
    await other.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    const row = await app.db.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    expect(row).toMatchObject({ secondFactorPending: false, factors: ["password", "totp"] });
    expect(app.pageProblems).toEqual([]);
  });

  it("registers a passkey, signs in with it without a password, and uses it as the second step", async () => {
    const user = await createTestUser(app.db);
    const page = await app.openDevice();
    await addVirtualAuthenticator(page);
    await signInWithPassword(page, user.email);
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await openSecurityPage(page);

    await page.getByLabel("Name for the new passkey").fill("Virtual laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("listitem", { name: "Passkey Virtual laptop" }).waitFor();
    // The first factor of the account brings recovery codes.
    await expect.poll(() => page.getByLabel("Your recovery codes").locator("code").count(), { timeout: UI_TIMEOUT_MS }).toBe(10);
    await app.saveScreenshot(page, "mfa-04-passkey-registered");

    // Passwordless through autofill (conditional UI): the sign-in page's pending request is
    // answered by the virtual authenticator as if the passkey had been picked in the email field.
    await signOut(page);
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    let row = await app.db.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    expect(row).toMatchObject({ secondFactorPending: false, factors: ["passkey"] });

    // The other paths run on fresh devices whose authenticator (holding a copy of the passkey)
    // arrives after the sign-in page's autofill request has started: only requests made later,
    // by the buttons, can use it.
    const credentials = await readCredentials(page);
    expect(credentials).toHaveLength(1);

    // Passwordless through the button.
    const other = await openSignInAwaitingAutofill();
    await addVirtualAuthenticator(other.page, credentials[0]);
    await other.page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await other.page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    // The autofill request's challenge is still unanswered: the button's request signed in.
    expect(other.challenges).toHaveLength(2);
    const stored = await app.db.webAuthnChallenge.findMany({ where: { challenge: { in: other.challenges } }, select: { challenge: true } });
    expect(stored).toEqual([{ challenge: other.challenges[0] }]);
    await app.saveScreenshot(other.page, "mfa-05-passkey-sign-in");

    // The password now opens only the second step, which the passkey completes.
    const third = await openSignInAwaitingAutofill();
    await third.page.getByLabel("Email").fill(user.email);
    await third.page.getByLabel("Password").fill(TEST_PASSWORD);
    await third.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await third.page.getByRole("heading", { name: "Two-step verification" }).waitFor();
    // A copy of the passkey as the second device left it: its signature counter has moved on, and
    // the server refuses a counter that does not grow (a cloned authenticator).
    await addVirtualAuthenticator(third.page, (await readCredentials(other.page))[0]);
    await third.page.getByRole("button", { name: "Use a passkey" }).click();
    await third.page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    row = await app.db.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    expect(row).toMatchObject({ secondFactorPending: false, factors: ["password", "passkey"] });
    const passkey = await app.db.passkey.findFirstOrThrow({ where: { userId: user.id } });
    expect(passkey.lastUsedAt).not.toBeNull();
    expect(app.pageProblems).toEqual([]);
  });
});
