import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, SIGNED_IN, tooManyRequests, unauthorized } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let signedIn: boolean;

beforeEach(() => {
  api = installFakeApi();
  signedIn = false;
  api.on("auth.me", () => {
    if (!signedIn) throw unauthorized();
    return SIGNED_IN;
  });
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
    expect(await screen.findByText("No notes yet. Write your first one above.")).toBeTruthy();
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
