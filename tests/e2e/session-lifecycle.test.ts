// Browser end-to-end: the built web app served by the real API, driven in Chromium through a
// session's life — sign up (verified with the mailed code), data that survives a reload, a second
// device, and revoking it.
import { describe, expect, it } from "vitest";
import { UI_TIMEOUT_MS, useBrowserApp } from "../setup/browser.ts";
import { readMailCode, waitForMail } from "../setup/mail.ts";
import { uniqueEmail } from "../setup/server.ts";

// The second device announces itself as a phone, so the session list tells the two apart.
const PHONE_USER_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const PASSWORD = "correct horse battery staple";
const SESSION_ENDED = "Your session has ended. Please sign in again.";

const { openDevice, saveScreenshot, pageProblems } = useBrowserApp();

function isSignInPage(url: URL, reason: string | null = null): boolean {
  return url.pathname === "/sign-in" && url.searchParams.get("reason") === reason;
}

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
    // The code from the mail that arrived over SMTP verifies the address and signs in.
    await pageA.getByRole("heading", { name: "Verify your email" }).waitFor();
    await pageA.getByLabel("Code", { exact: true }).fill(readMailCode(await waitForMail(email, /^Your latchkey code is/)));
    await pageA.getByRole("button", { name: "Verify", exact: true }).click();
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
});
