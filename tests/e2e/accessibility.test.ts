// Every page of the built app checked with axe-core (WCAG 2.1 A and AA) at desktop and phone width,
// in Chromium against the real API; serious and critical findings fail. Also: a signed-out visit
// logs no console error (auth.me answers null rather than 401). Screenshots go to artifacts/e2e/.
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { useBrowserApp } from "../setup/browser.ts";
import { createTestDatabase, createTestUser, TEST_PASSWORD } from "../setup/server.ts";

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

const { openDevice, saveScreenshot, pageProblems } = useBrowserApp();
const db = createTestDatabase();
afterAll(() => db.$disconnect());

/** axe-core's serious and critical findings on the page as it is now, one line each. */
async function findAccessibilityProblems(page: Page, label: string): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate((tags) => (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
  return results.violations
    .filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ""))
    .map((violation) => `${label}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

describe("accessibility in the browser", () => {
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

    await page.goto("/");
    await page.waitForURL((url) => url.pathname === "/sign-in");
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    expect(consoleErrors).toEqual([]);
    await audit("sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("button", { name: "Sign up" }).waitFor();
    await audit("sign-up");
    await page.goto("/no-such-page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await audit("not-found");

    const admin = await createTestUser(db, { name: "Grace Hopper", role: "admin" });
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
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

    for (const name of ["Sessions", "Account", "Admin"] as const) {
      // On a phone the links are behind the Menu button.
      const menu = page.getByRole("button", { name: "Menu" });
      if (await menu.isVisible()) {
        await menu.click();
        if (name === "Sessions") await audit("menu-open");
      }
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
      await page.getByRole("heading", { name, level: 1 }).waitFor();
      await audit(name.toLowerCase());
    }
    expect(problems).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});
