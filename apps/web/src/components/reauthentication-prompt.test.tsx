import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, reauthenticationRequired, SIGNED_IN, tooManyRequests } from "../testing/fake-api.ts";
import { renderApp } from "../testing/render-app.tsx";

const PASSWORD = "correct horse";
let api: ReturnType<typeof installFakeApi>;
let reauthenticated: boolean;

function makeSession(id: string, current: boolean) {
  const now = new Date();
  return { id, userId: "user-1", kind: "cookie", createdAt: now, lastActiveAt: now, expiresAt: now, userAgent: null, ip: null, current };
}

beforeEach(() => {
  api = installFakeApi();
  reauthenticated = false;
  api.on("auth.me", () => SIGNED_IN);
  api.on("session.list", () => [makeSession("session-1", true), makeSession("session-2", false)]);
  // Like the server: a stale session is refused until it proves the password again.
  api.on("session.revokeOthers", () => {
    if (!reauthenticated) throw reauthenticationRequired();
    return { revoked: 1 };
  });
  api.on("auth.reauthenticate", (input) => {
    if ((input as { password: string }).password !== PASSWORD) throw new ApiFailure("BAD_REQUEST", "The password is incorrect.");
    reauthenticated = true;
    return { reauthenticatedUntil: new Date(), sessionId: "session-3", token: null };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function startSignOutEverywhere() {
  renderApp("/sessions");
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Sign out everywhere else" }));
  return { user, prompt: await screen.findByRole("form", { name: "Confirm your password" }) };
}

describe("the in-place password prompt (sudo mode)", () => {
  it("asks for the password when the server wants it, shows a wrong one there, and retries the action after the right one", async () => {
    const { user, prompt } = await startSignOutEverywhere();
    expect(within(prompt).getByText("For your security, enter your password to continue.")).toBeTruthy();
    // The refusal itself is not shown as an error: the prompt is the explanation.
    expect(screen.queryByText("Enter your password again to continue.")).toBeNull();

    await user.type(within(prompt).getByLabelText("Your password"), "wrong");
    await user.click(within(prompt).getByRole("button", { name: "Confirm" }));
    expect(await within(prompt).findByText("The password is incorrect.")).toBeTruthy();

    const field = within(prompt).getByLabelText("Your password");
    await user.clear(field);
    await user.type(field, PASSWORD);
    await user.click(within(prompt).getByRole("button", { name: "Confirm" }));

    expect(await screen.findByText("Signed out 1 other session.")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Confirm your password" })).toBeNull();
    expect(api.callsTo("auth.reauthenticate")).toEqual([{ password: "wrong" }, { password: PASSWORD }]);
    expect(api.callsTo("session.revokeOthers")).toHaveLength(2);
  });

  it("closes on Cancel without running the action again", async () => {
    const { user, prompt } = await startSignOutEverywhere();
    await user.click(within(prompt).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Confirm your password" })).toBeNull());
    expect(api.callsTo("auth.reauthenticate")).toEqual([]);
    expect(api.callsTo("session.revokeOthers")).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Sign out everywhere else" }).hasAttribute("disabled")).toBe(false);
  });

  it("shows how long to wait when password attempts are throttled", async () => {
    api.on("auth.reauthenticate", () => {
      throw tooManyRequests(42, "Too many attempts. Try again in 42 seconds.");
    });
    const { user, prompt } = await startSignOutEverywhere();
    await user.type(within(prompt).getByLabelText("Your password"), "guess");
    await user.click(within(prompt).getByRole("button", { name: "Confirm" }));
    const alert = await within(prompt).findByText("Too many attempts. Try again in 42 seconds.");
    expect(alert.getAttribute("role")).toBe("alert");
  });

  it("offers a code from the authenticator app instead of the password to a user who has one", async () => {
    api.on("mfa.status", () => ({ totp: true, passkeys: 0, recoveryCodesLeft: 10 }));
    api.on("mfa.verify", (input) => {
      if ((input as { code: string }).code !== "246810") throw new ApiFailure("BAD_REQUEST", "The code is incorrect or has already been used.");
      reauthenticated = true;
      return { sessionId: "session-3", token: null, reauthenticatedUntil: new Date(), user: SIGNED_IN.user, recoveryCodesLeft: null };
    });
    const { user } = await startSignOutEverywhere();
    const codeForm = await screen.findByRole("form", { name: "Confirm with a code" });
    // No passkey registered: no passkey button.
    expect(screen.queryByRole("button", { name: "Use a passkey" })).toBeNull();
    await user.type(within(codeForm).getByLabelText("Code from your authenticator app"), "000000");
    await user.click(within(codeForm).getByRole("button", { name: "Confirm with code" }));
    expect(await screen.findByText("The code is incorrect or has already been used.")).toBeTruthy();
    const field = within(codeForm).getByLabelText("Code from your authenticator app");
    await user.clear(field);
    await user.type(field, "246810");
    await user.click(within(codeForm).getByRole("button", { name: "Confirm with code" }));
    await waitFor(() => expect(api.callsTo("session.revokeOthers")).toHaveLength(2));
    expect(screen.queryByRole("form", { name: "Confirm with a code" })).toBeNull();
    expect(api.callsTo("auth.reauthenticate")).toEqual([]);
  });
});
