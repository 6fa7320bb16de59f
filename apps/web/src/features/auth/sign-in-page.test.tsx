import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, SIGNED_IN, tooManyRequests } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let signedIn: boolean;

beforeEach(() => {
  api = installFakeApi();
  signedIn = false;
  api.on("auth.me", () => (signedIn ? SIGNED_IN : null));
  api.on("note.list", () => []);
  api.on("session.list", () => []);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function submitSignIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("SignInPage", () => {
  it("shows the server's field errors under the matching input", async () => {
    api.on("auth.signIn", () => {
      throw new ApiFailure("BAD_REQUEST", "[zod issues]", { email: ["Enter a valid email address."] });
    });
    renderApp("/sign-in");

    await submitSignIn("not-an-email", "whatever");

    const message = await screen.findByText("Enter a valid email address.");
    const email = screen.getByLabelText("Email");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(email.getAttribute("aria-describedby")).toBe(message.id);
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBeNull();
    // The raw zod dump in the error's message is never shown.
    expect(screen.getByText("Please correct the highlighted fields.").getAttribute("role")).toBe("alert");
    expect(screen.queryByText("[zod issues]")).toBeNull();
  });

  it("shows a generic error in the alert region and stays on the page", async () => {
    api.on("auth.signIn", () => {
      throw new ApiFailure("UNAUTHORIZED", "Invalid email or password.");
    });
    const app = renderApp("/sign-in?next=%2Fsessions");

    await submitSignIn("ada@example.com", "wrong password");

    const alert = await screen.findByText("Invalid email or password.");
    expect(alert.getAttribute("role")).toBe("alert");
    // A failed sign-in is not an ended session.
    expect(app.currentUrl()).toBe("/sign-in?next=%2Fsessions");
    expect(screen.queryByText(/Your session has ended/)).toBeNull();
    expect(screen.getByRole("button", { name: "Sign in" }).hasAttribute("disabled")).toBe(false);
  });

  it("shows the server's retry time when sign-in is rate-limited, in the alert region", async () => {
    const message = "Too many attempts. Try again in 15 minutes.";
    api.on("auth.signIn", () => {
      throw tooManyRequests(900, message);
    });
    renderApp("/sign-in");

    await submitSignIn("ada@example.com", "wrong password");

    const alert = await screen.findByText(message);
    expect(alert.getAttribute("role")).toBe("alert");
    expect(screen.getByRole("button", { name: "Sign in" }).hasAttribute("disabled")).toBe(false);
  });

  it("disables the button while signing in", async () => {
    let finish = () => {};
    api.on("auth.signIn", () => new Promise((resolve) => (finish = () => resolve({ user: SIGNED_IN.user }))));
    const app = renderApp("/sign-in");

    await submitSignIn("ada@example.com", "correct horse");

    const button = await screen.findByRole("button", { name: "Signing in…" });
    expect(button.hasAttribute("disabled")).toBe(true);
    signedIn = true;
    finish();
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
  });

  it.each([
    ["/sessions", "/sessions"],
    ["//evil.com", "/"],
    ["https://evil.com", "/"],
  ])("after signing in with next=%s goes to %s", async (next, destination) => {
    api.on("auth.signIn", (input) => {
      signedIn = true;
      expect(input).toEqual({ email: "ada@example.com", password: "correct horse" });
      return { user: SIGNED_IN.user };
    });
    const app = renderApp(`/sign-in?next=${encodeURIComponent(next)}`);

    await submitSignIn("ada@example.com", "correct horse");

    await waitFor(() => expect(app.currentUrl()).toBe(destination));
  });

  it("explains why after a session ended", async () => {
    renderApp("/sign-in?reason=expired&next=%2Fsessions");
    const notice = await screen.findByText("Your session has ended. Please sign in again.");
    expect(notice.getAttribute("role")).toBe("status");
  });

  it("sends someone already signed in to the app", async () => {
    signedIn = true;
    const app = renderApp("/sign-in");
    await waitFor(() => expect(app.currentUrl()).toBe("/"));
    expect(await screen.findByText("No notes yet")).toBeTruthy();
  });

  it("asks for the second factor after the password, offers a recovery code instead, and goes on once it is accepted", async () => {
    api.on("auth.signIn", () => ({ user: SIGNED_IN.user, token: null, secondFactor: { methods: ["totp", "recovery_code"] } }));
    api.on("mfa.verify", (input) => {
      const { method, code } = input as { method: string; code: string };
      if (method === "totp" && code === "123456") throw new ApiFailure("BAD_REQUEST", "The code is incorrect or has already been used.");
      signedIn = true;
      return { sessionId: "session-2", token: null, reauthenticatedUntil: new Date(), user: SIGNED_IN.user, recoveryCodesLeft: method === "recovery_code" ? 9 : null };
    });
    const app = renderApp("/sign-in?next=%2Fsessions");
    await submitSignIn("ada@example.com", "correct horse battery staple");

    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "123456");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("The code is incorrect or has already been used.")).toBeTruthy();
    expect(app.router.state.location.pathname).toBe("/sign-in");

    await user.click(screen.getByRole("button", { name: "Use a recovery code" }));
    await user.type(await screen.findByLabelText("Recovery code"), "abcdef-ghijkl-mnopqr-stuvwx");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(app.router.state.location.pathname).toBe("/sessions"));
    expect(api.callsTo("mfa.verify")).toEqual([
      { method: "totp", code: "123456" },
      { method: "recovery_code", code: "abcdef-ghijkl-mnopqr-stuvwx" },
    ]);
  });

  it("asks for the second factor after a provider or a mailed link left a pending session (?second_factor=1)", async () => {
    api.on("mfa.pendingMethods", () => ["totp", "recovery_code"]);
    api.on("mfa.verify", () => {
      signedIn = true;
      return { sessionId: "session-2", token: null, reauthenticatedUntil: new Date(), user: SIGNED_IN.user, recoveryCodesLeft: null };
    });
    const app = renderApp("/sign-in?second_factor=1");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "654321");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(app.router.state.location.pathname).toBe("/"));
    expect(api.callsTo("mfa.verify")).toEqual([{ method: "totp", code: "654321" }]);
  });

  it("offers a button per configured provider, keeping `next`, and explains a failed provider sign-in", async () => {
    api.on("oauth.providers", () => [{ id: "oidc", name: "Local OIDC" }]);
    renderApp("/sign-in?next=%2Fsessions&oauth_error=account_exists");

    const button = await screen.findByRole("link", { name: "Sign in with Local OIDC" });
    expect(button.getAttribute("href")).toBe("/auth/oauth/oidc?next=%2Fsessions");
    const alert = screen.getByText(/An account with this email already exists/);
    expect(alert.getAttribute("role")).toBe("alert");
  });
});
