import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeApi, reauthenticationRequired, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let deleted: boolean;
let reauthenticated: boolean;

beforeEach(() => {
  api = installFakeApi();
  deleted = false;
  reauthenticated = true;
  api.on("auth.me", () => {
    // Deleting the account cleared the cookie: the browser is signed out.
    return deleted ? null : SIGNED_IN;
  });
  api.on("account.delete", () => {
    if (!reauthenticated) throw reauthenticationRequired();
    deleted = true;
    return { deleted: true };
  });
  api.on("auth.reauthenticate", () => {
    reauthenticated = true;
    return { reauthenticatedUntil: new Date(), sessionId: "session-3", token: null };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AccountPage: changing the password", () => {
  it("hints at the new password's strength, and clears the hint with the form once the change succeeds", async () => {
    api.on("account.changePassword", () => ({ sessionId: "session-2", token: null }));
    renderApp("/account");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Current password"), "correct horse battery staple");
    const newPassword = screen.getByLabelText("New password");
    await user.type(newPassword, "iloveyou1");
    expect(await screen.findByText("Too common: this is one of the most common passwords, and it will be refused.")).toBeTruthy();
    await user.clear(newPassword);
    await user.type(newPassword, "a brand new passphrase");
    expect(await screen.findByText("Strong.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("Your password has been changed. Other devices have been signed out.")).toBeTruthy();
    expect((newPassword as HTMLInputElement).value).toBe("");
    expect(screen.queryByText("Strong.")).toBeNull();
  });
});

describe("AccountPage: deleting the account", () => {
  it("asks for confirmation, deletes, and lands on sign-in saying so", async () => {
    const app = renderApp("/account");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete account…" }));
    expect(api.callsTo("account.delete")).toEqual([]);

    const confirm = screen.getByRole("group", { name: "Confirm account deletion" });
    await user.click(within(confirm).getByRole("button", { name: "Yes, delete my account" }));

    await waitFor(() => expect(app.currentUrl()).toBe("/sign-in?reason=deleted"));
    expect(await screen.findByText("Your account has been deleted.")).toBeTruthy();
    expect(api.callsTo("account.delete")).toHaveLength(1);
  });

  it("can be cancelled before anything is sent", async () => {
    renderApp("/account");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete account…" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("button", { name: "Delete account…" })).toBeTruthy();
    expect(api.callsTo("account.delete")).toEqual([]);
  });

  it("asks for the password in place when the session is not recent, then deletes", async () => {
    reauthenticated = false;
    const app = renderApp("/account");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete account…" }));
    await user.click(screen.getByRole("button", { name: "Yes, delete my account" }));

    const prompt = await screen.findByRole("form", { name: "Confirm your password" });
    await user.type(within(prompt).getByLabelText("Your password"), "correct horse");
    await user.click(within(prompt).getByRole("button", { name: "Confirm" }));

    await waitFor(() => expect(app.currentUrl()).toBe("/sign-in?reason=deleted"));
    expect(await screen.findByText("Your account has been deleted.")).toBeTruthy();
    expect(api.callsTo("auth.reauthenticate")).toEqual([{ password: "correct horse" }]);
    expect(api.callsTo("account.delete")).toHaveLength(2);
  });
});
