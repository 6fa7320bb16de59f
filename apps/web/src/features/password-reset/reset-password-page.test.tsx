import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let signedIn: boolean;

beforeEach(() => {
  api = installFakeApi();
  signedIn = false;
  // Signed out, auth.me answers null (no cookie), as the server does.
  api.on("auth.me", () => (signedIn ? SIGNED_IN : null));
  api.on("note.list", () => []);
  api.on("account.get", () => ({ ...SIGNED_IN.user, role: "user", createdAt: new Date() }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("password reset pages", () => {
  it("sign-in links to the request page, which answers the same for any address", async () => {
    api.on("passwordReset.request", () => ({ sent: true }));
    const app = renderApp("/sign-in");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("link", { name: "Forgot password?" }));
    // The page is its own chunk: the URL changes once it has loaded.
    await waitFor(() => expect(app.currentUrl()).toBe("/forgot-password"));
    await user.type(await screen.findByLabelText("Email"), "someone@example.com");
    await user.click(screen.getByRole("button", { name: "Send the link" }));
    expect((await screen.findByText(/we sent it a link to choose a new password/)).getAttribute("role")).toBe("status");
    expect(api.callsTo("passwordReset.request")).toEqual([{ email: "someone@example.com" }]);
  });

  it("sets the new password with the link's token and opens the app signed in", async () => {
    api.on("passwordReset.complete", () => {
      signedIn = true;
      return { reset: true, token: null, secondFactor: null };
    });
    const app = renderApp("/reset-password#token=abc.def");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("New password"), "a brand new password");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
    expect(api.callsTo("passwordReset.complete")).toEqual([{ token: "abc.def", newPassword: "a brand new password" }]);
  });

  it("asks an account with a second factor for a code, keeps the form after a wrong one, and takes a recovery code", async () => {
    api.on("passwordReset.complete", (input) => {
      const { secondFactor } = input as { secondFactor?: { method: string; code: string } };
      if (!secondFactor) return { reset: false, token: null, secondFactor: { methods: ["totp", "recovery_code"] } };
      if (secondFactor.code === "000000") throw new ApiFailure("UNAUTHORIZED", "The code is incorrect or has already been used.");
      signedIn = true;
      return { reset: true, token: null, secondFactor: null };
    });
    const app = renderApp("/reset-password#token=abc.def");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("New password"), "a brand new password");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "000000");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("The code is incorrect or has already been used.")).toBeTruthy();
    expect(app.currentUrl()).toBe("/reset-password");

    await user.click(screen.getByLabelText("Use a recovery code instead"));
    await user.clear(screen.getByLabelText("Code from your authenticator app"));
    await user.type(screen.getByLabelText("Code from your authenticator app"), "abcdef-ghijkl");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
    expect(api.callsTo("passwordReset.complete")).toEqual([
      { token: "abc.def", newPassword: "a brand new password" },
      { token: "abc.def", newPassword: "a brand new password", secondFactor: { method: "totp", code: "000000" } },
      { token: "abc.def", newPassword: "a brand new password", secondFactor: { method: "recovery_code", code: "abcdef-ghijkl" } },
    ]);
  });

  it("explains an expired link and offers a new one", async () => {
    api.on("passwordReset.complete", () => {
      throw new ApiFailure("BAD_REQUEST", "This link has expired. Request a new one.");
    });
    renderApp("/reset-password#token=abc.def");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("New password"), "a brand new password");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect((await screen.findByText("This link has expired. Request a new one.")).getAttribute("role")).toBe("alert");
    expect(screen.getByRole("link", { name: "Request a new link" }).getAttribute("href")).toBe("/forgot-password");
    expect(screen.queryByLabelText("New password")).toBeNull();
  });
});
