import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let me: "none" | "unverified" | "verified";
const LINK_REFUSED = "This link is not valid or has already been used. Request a new one.";

beforeEach(() => {
  api = installFakeApi();
  me = "none";
  api.on("auth.me", () => {
    // Signed out, auth.me answers null (no cookie), as the server does.
    if (me === "none") return null;
    return { ...SIGNED_IN, user: { ...SIGNED_IN.user, emailVerified: me === "verified" } };
  });
  api.on("note.list", () => []);
  api.on("account.get", () => ({ ...SIGNED_IN.user, role: "user", createdAt: new Date() }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("VerifyEmailPage", () => {
  it("sends the token from the link's fragment only when the button is pressed, drops it from the URL, and opens the app", async () => {
    api.on("verification.confirmLink", () => {
      me = "verified";
      return { verified: true, token: null };
    });
    const app = renderApp("/verify-email#token=abc.def");
    const button = await screen.findByRole("button", { name: "Confirm my email" });
    expect(api.callsTo("verification.confirmLink")).toEqual([]);
    await waitFor(() => expect(app.router.state.location.hash).toBe(""));
    expect(document.head.querySelector('meta[name="referrer"]')?.getAttribute("content")).toBe("no-referrer");

    await userEvent.setup().click(button);
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
    expect(api.callsTo("verification.confirmLink")).toEqual([{ token: "abc.def" }]);
  });

  it("explains a refused link and offers a new one", async () => {
    api.on("verification.confirmLink", () => {
      throw new ApiFailure("BAD_REQUEST", LINK_REFUSED);
    });
    api.on("verification.resend", () => ({ sent: true }));
    renderApp("/verify-email#token=abc.def");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Confirm my email" }));
    expect((await screen.findByText(LINK_REFUSED)).getAttribute("role")).toBe("alert");
    await user.type(screen.getByLabelText("Your email"), "ada@example.com");
    await user.click(screen.getByRole("button", { name: "Request a new one" }));
    expect(await screen.findByText(/a new code and link are on their way/)).toBeTruthy();
    expect(api.callsTo("verification.resend")).toEqual([{ email: "ada@example.com" }]);
  });

  it("takes the code for the signed-in user's address without asking for it", async () => {
    me = "unverified";
    api.on("verification.confirmCode", () => {
      me = "verified";
      return { verified: true, token: null };
    });
    const app = renderApp("/verify-email");
    expect(await screen.findByText("ada@example.com")).toBeTruthy();
    expect(screen.queryByLabelText("Email")).toBeNull();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
    expect(api.callsTo("verification.confirmCode")).toEqual([{ code: "123456" }]);
  });
});

describe("an unverified user in the app", () => {
  it("sees only the verify page while verification is required", async () => {
    me = "unverified";
    const app = renderApp("/sessions");
    await waitFor(() => expect(app.currentUrl()).toBe("/verify-email"));
    expect(await screen.findByRole("heading", { name: "Verify your email" })).toBeTruthy();
    expect(api.callsTo("session.list")).toEqual([]);
  });

  it("gets a banner, and the app, while verification is optional", async () => {
    api.on("auth.me", () => ({ ...SIGNED_IN, user: { ...SIGNED_IN.user, emailVerified: false }, emailVerification: "optional" }));
    const app = renderApp("/");
    expect(await screen.findByRole("heading", { name: "Notes" })).toBeTruthy();
    expect(screen.getByText(/Your email address is not verified yet/).getAttribute("role")).toBe("status");
    expect(app.currentUrl()).toBe("/");
  });
});
