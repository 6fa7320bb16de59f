// Browser end-to-end through the account's life by email: sign up, verify with the mailed link,
// sign out, forget the password, reset it from the mailed link — which ends the session another
// browser held — and sign in with the new password. Mail is read from the SMTP catcher it really
// went through (tests/setup/global-mail.ts).
import { describe, expect, it } from "vitest";
import { useBrowserApp } from "../setup/browser.ts";
import { readMailTo, waitForMail } from "../setup/mail.ts";
import { uniqueEmail } from "../setup/server.ts";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a new password after forgetting";
const app = useBrowserApp();

/** The link in a mail, which points at the app under test (APP_ORIGIN). */
function readLink(text: string, path: string): string {
  const match = new RegExp(`https?://\\S+${path}#token=\\S+`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return match[0];
}

describe("account lifecycle by email in the browser", () => {
  it("signs up, verifies by link, resets a forgotten password and ends the other browser's session", async () => {
    const email = uniqueEmail("e2e-mail");

    // Sign up: the app asks to check the mail, whatever the address.
    const page = await app.openDevice();
    await page.goto("/sign-up");
    await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Verify your email" }).waitFor();
    await app.saveScreenshot(page, "email-01-check-your-email");

    // The mail's link lands on a page that verifies only when asked (a POST), then signs in.
    const verification = await waitForMail(email, /^Your latchkey code is/);
    const verifyLink = readLink(verification.text, "/verify-email");
    expect(verifyLink.startsWith(app.baseUrl)).toBe(true);
    // Opened from the mail: a fresh page load, not a change of fragment on the page already open.
    await page.goto("about:blank");
    await page.goto(verifyLink);
    await page.getByRole("button", { name: "Confirm my email" }).waitFor();
    // The token left the address bar before anything was sent.
    expect(new URL(page.url()).hash).toBe("");
    await app.saveScreenshot(page, "email-02-confirm-link");
    await page.getByRole("button", { name: "Confirm my email" }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await app.saveScreenshot(page, "email-03-verified-and-signed-in");

    // A second browser signs in with the password.
    const other = await app.openDevice();
    await other.goto("/sign-in");
    await other.getByLabel("Email", { exact: true }).fill(email);
    await other.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await other.getByRole("heading", { name: "Notes", level: 1 }).waitFor();

    // The first signs out, and has forgotten the password.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/sign-in");
    await page.getByRole("link", { name: "Forgot password?" }).click();
    // A lazy page: the sign-in form (with its own Email field) stays until its chunk has loaded.
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByText("we sent it a link to choose a new password", { exact: false }).waitFor();
    await app.saveScreenshot(page, "email-04-reset-requested");

    // The reset link: a new password, shown with the toggle before it is saved.
    const reset = await waitForMail(email, /^Reset your latchkey password$/);
    await page.goto(readLink(reset.text, "/reset-password"));
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Show" }).click();
    expect(await page.getByLabel("New password", { exact: true }).getAttribute("type")).toBe("text");
    await app.saveScreenshot(page, "email-05-new-password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("heading", { name: "Notes", level: 1 }).waitFor();
    await app.saveScreenshot(page, "email-06-signed-in-after-reset");
    await waitForMail(email, /^Your latchkey password was changed$/);

    // The other browser's session ended with the reset.
    await other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
    await other.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("reason") === "expired");
    await app.saveScreenshot(other, "email-07-other-browser-signed-out");

    // It signs in with the new password only.
    await other.getByLabel("Email", { exact: true }).fill(email);
    await other.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await other.getByText("Invalid email or password.").waitFor();
    await other.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await other.getByRole("button", { name: "Sign in", exact: true }).click();
    await other.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    await app.saveScreenshot(other, "email-08-signed-in-with-new-password");

    // Nothing else was mailed to the address than these three.
    expect((await readMailTo(email)).map((mail) => mail.subject)).toEqual([
      verification.subject,
      "Reset your latchkey password",
      "Your latchkey password was changed",
    ]);
    expect(app.pageProblems).toEqual([]);
  });
});
