import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeApi, SIGNED_IN, unauthorized } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
// What the server thinks of the browser's cookie.
let session: "none" | "valid" | "revoked";

/** Answers like a protected procedure: `data` while the session is valid, UNAUTHORIZED otherwise. */
const whileSignedIn = (data: unknown) => () => {
  if (session !== "valid") throw unauthorized();
  return data;
};

beforeEach(() => {
  api = installFakeApi();
  session = "none";
  // Like the server: null without a cookie, UNAUTHORIZED for a cookie whose session ended.
  api.on("auth.me", () => (session === "none" ? null : whileSignedIn(SIGNED_IN)()));
  api.on("note.list", whileSignedIn([]));
  api.on("note.create", whileSignedIn({}));
  api.on("session.list", whileSignedIn([]));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("SignedInLayout", () => {
  it("sends a signed-out visitor to sign in, remembering the page", async () => {
    const app = renderApp("/sessions");

    await waitFor(() => expect(app.currentUrl()).toBe("/sign-in?next=%2Fsessions"));
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeTruthy();
    expect(screen.queryByText(/Your session has ended/)).toBeNull();
    expect(api.callsTo("session.list")).toEqual([]);
  });

  it("shows the page and navigation to a signed-in user", async () => {
    session = "valid";
    const app = renderApp("/sessions");

    expect(await screen.findByRole("heading", { name: "Sessions" })).toBeTruthy();
    expect(screen.getByText("Ada Lovelace")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
    expect(app.currentUrl()).toBe("/sessions");
  });

  it("folds the navigation into a menu that a link closes again", async () => {
    session = "valid";
    renderApp("/");
    const toggle = await screen.findByRole("button", { name: "Menu" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(document.getElementById(toggle.getAttribute("aria-controls")!)?.contains(screen.getByRole("navigation", { name: "Main" }))).toBe(true);

    const user = userEvent.setup();
    await user.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    await user.click(screen.getByRole("link", { name: "Sessions" }));
    await screen.findByRole("heading", { name: "Sessions" });
    // The menu closes in an effect of the new location, which may commit just after the page.
    await waitFor(() => expect(screen.getByRole("button", { name: "Menu" }).getAttribute("aria-expanded")).toBe("false"));
  });

  it("sends the user to sign in with a reason when a query finds the session revoked", async () => {
    session = "valid";
    const app = renderApp("/");
    await screen.findByRole("heading", { name: "Notes" });

    session = "revoked";
    await userEvent.setup().click(screen.getByRole("link", { name: "Sessions" }));

    await waitFor(() => expect(app.currentUrl()).toBe("/sign-in?reason=expired&next=%2Fsessions"));
    expect(await screen.findByText("Your session has ended. Please sign in again.")).toBeTruthy();
    expect(screen.queryByText("Ada Lovelace")).toBeNull();
  });

  it("does the same when a mutation finds the session revoked", async () => {
    session = "valid";
    const app = renderApp("/");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Title"), "Groceries");

    session = "revoked";
    await user.click(screen.getByRole("button", { name: "Create note" }));

    await waitFor(() => expect(app.currentUrl()).toBe("/sign-in?reason=expired"));
    expect(await screen.findByText("Your session has ended. Please sign in again.")).toBeTruthy();
  });
});
