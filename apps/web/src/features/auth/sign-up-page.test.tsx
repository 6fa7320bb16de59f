import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

beforeEach(() => {
  const api = installFakeApi();
  api.on("auth.me", () => null);
  api.on("auth.signUp", () => {
    throw new ApiFailure("BAD_REQUEST", "[zod issues]", {
      password: ["This is one of the most common passwords. Choose one that is harder to guess."],
    });
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("SignUpPage", () => {
  it("hints at the password's strength while typing, warning of common passwords once the list has loaded", async () => {
    const user = userEvent.setup();
    renderApp("/sign-up");
    const password = await screen.findByLabelText("Password");

    await user.type(password, "short");
    expect(await screen.findByText("Too short: use at least 8 characters.")).toBeTruthy();
    await user.clear(password);
    await user.type(password, "Password1");
    expect(await screen.findByText("Too common: this is one of the most common passwords, and it will be refused.")).toBeTruthy();
    await user.clear(password);
    await user.type(password, "correct horse battery staple");
    expect(await screen.findByText("Strong.")).toBeTruthy();
    expect(password.getAttribute("aria-describedby")).toMatch(/-hint$/);
  });

  it("shows the server's refusal of a common password under the field", async () => {
    const user = userEvent.setup();
    renderApp("/sign-up");
    await user.type(await screen.findByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "iloveyou1");
    await user.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByText("This is one of the most common passwords. Choose one that is harder to guess.")).toBeTruthy();
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
  });
});
