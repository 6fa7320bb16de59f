import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, reauthenticationRequired, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let methods: { hasPassword: boolean; linked: { provider: string; linkedAt: Date }[] };

beforeEach(() => {
  api = installFakeApi();
  methods = { hasPassword: true, linked: [{ provider: "github", linkedAt: new Date() }] };
  api.on("auth.me", () => SIGNED_IN);
  api.on("oauth.providers", () => [
    { id: "github", name: "GitHub" },
    { id: "oidc", name: "Local OIDC" },
  ]);
  api.on("oauth.methods", () => methods);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Account page: sign-in methods", () => {
  it("shows which providers are linked, and unlinks one", async () => {
    api.on("oauth.unlink", (input) => {
      methods = { ...methods, linked: [] };
      return { unlinked: true, input };
    });
    renderApp("/account");
    const github = await screen.findByRole("listitem", { name: "GitHub" });
    expect(within(github).getByText("Linked")).toBeTruthy();
    expect(within(screen.getByRole("listitem", { name: "Local OIDC" })).getByText("Not linked")).toBeTruthy();

    await userEvent.setup().click(within(github).getByRole("button", { name: "Unlink GitHub" }));
    await waitFor(() => expect(within(screen.getByRole("listitem", { name: "GitHub" })).getByText("Not linked")).toBeTruthy());
    expect(api.callsTo("oauth.unlink")).toEqual([{ provider: "github" }]);
  });

  it("shows the server's refusal to unlink the last way to sign in", async () => {
    const message = "This is your only way to sign in. Link another provider or set a password first.";
    api.on("oauth.unlink", () => {
      throw new ApiFailure("BAD_REQUEST", message);
    });
    renderApp("/account");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Unlink GitHub" }));
    expect((await screen.findByText(message)).getAttribute("role")).toBe("alert");
  });

  it("tells why linking failed when the provider sends the browser back with an error", async () => {
    renderApp("/account?oauth_error=identity_taken");
    expect((await screen.findByText("That provider account already signs in to another account here.")).getAttribute("role")).toBe("alert");
  });

  it("offers a user without a password to confirm through a linked provider, not a password", async () => {
    methods = { hasPassword: false, linked: [{ provider: "oidc", linkedAt: new Date() }] };
    api.on("oauth.authorizeLink", () => {
      throw reauthenticationRequired();
    });
    renderApp("/account");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Link GitHub" }));
    const prompt = await screen.findByRole("group", { name: "Confirm it is you" });
    expect(within(prompt).getByRole("link", { name: "Confirm with Local OIDC" }).getAttribute("href")).toBe(
      "/auth/oauth/oidc?intent=reauthenticate&next=%2Faccount",
    );
    expect(screen.queryByLabelText("Your password")).toBeNull();
    // Nor is there a password to change.
    expect(screen.queryByRole("form", { name: "Change password" })).toBeNull();
  });

  it("offers a user with a password the change-password form", async () => {
    renderApp("/account");
    expect(await screen.findByRole("form", { name: "Change password" })).toBeTruthy();
  });
});

describe("Account page: a user without a password", () => {
  it("offers a mailed link to set one instead of the change-password form", async () => {
    methods = { hasPassword: false, linked: [{ provider: "github", linkedAt: new Date() }] };
    api.on("account.get", () => ({ email: SIGNED_IN.user.email, emailVerified: true }));
    api.on("passwordReset.request", () => ({ sent: true }));
    renderApp("/account");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Email me a link to set a password" }));
    expect(await screen.findByText(/to choose a password/)).toBeTruthy();
    expect(api.callsTo("passwordReset.request")).toEqual([{ email: SIGNED_IN.user.email }]);
    expect(screen.queryByLabelText("Current password")).toBeNull();
  });
});
