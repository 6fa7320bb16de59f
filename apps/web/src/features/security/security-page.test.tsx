import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, reauthenticationRequired, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

const KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const CODES = Array.from({ length: 10 }, (_, index) => `code${index}a-bbbbbb-cccccc-dddddd`);
let api: ReturnType<typeof installFakeApi>;
let status: { totp: boolean; passkeys: number; recoveryCodesLeft: number };

beforeEach(() => {
  api = installFakeApi();
  status = { totp: false, passkeys: 0, recoveryCodesLeft: 0 };
  api.on("auth.me", () => SIGNED_IN);
  api.on("account.get", () => ({ ...SIGNED_IN.user, role: "user", createdAt: new Date() }));
  api.on("mfa.status", () => status);
  api.on("passkey.list", () => []);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("SecurityPage", () => {
  it("sets up the authenticator app: QR code and key, a code to turn it on, then the recovery codes once", async () => {
    api.on("mfa.startTotp", () => ({ keyUri: `otpauth://totp/latchkey:ada%40example.com?secret=${KEY}`, key: KEY }));
    api.on("mfa.confirmTotp", (input) => {
      if ((input as { code: string }).code !== "123456") throw new ApiFailure("BAD_REQUEST", "The code is incorrect or has already been used.");
      status = { totp: true, passkeys: 0, recoveryCodesLeft: 10 };
      return { recoveryCodes: CODES };
    });
    renderApp("/security");
    const user = userEvent.setup();
    expect(await screen.findByText(/Two-step verification is off/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Set up authenticator app" }));
    expect(await screen.findByRole("img", { name: "QR code of your authenticator key" })).toBeTruthy();
    expect(screen.getByText(KEY)).toBeTruthy();

    const form = screen.getByRole("form", { name: "Confirm authenticator app" });
    await user.type(within(form).getByLabelText("Code from the app"), "654321");
    await user.click(within(form).getByRole("button", { name: "Turn on" }));
    expect(await screen.findByText("The code is incorrect or has already been used.")).toBeTruthy();
    const field = within(form).getByLabelText("Code from the app");
    await user.clear(field);
    await user.type(field, "123456");
    await user.click(within(form).getByRole("button", { name: "Turn on" }));

    const list = await screen.findByLabelText("Your recovery codes");
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual(CODES);
    await user.click(screen.getByRole("button", { name: "I have saved my recovery codes" }));
    expect(await screen.findByText("On: signing in asks for a code from your app.")).toBeTruthy();
    expect(screen.queryByLabelText("Your recovery codes")).toBeNull();
    expect(await screen.findByText(/10 of 10 left/)).toBeTruthy();
  });

  it("asks for sudo mode in place before turning the authenticator app off", async () => {
    status = { totp: true, passkeys: 0, recoveryCodesLeft: 4 };
    let reauthenticated = false;
    api.on("mfa.disableTotp", () => {
      if (!reauthenticated) throw reauthenticationRequired();
      status = { totp: false, passkeys: 0, recoveryCodesLeft: 0 };
      return { disabled: true };
    });
    api.on("auth.reauthenticate", () => {
      reauthenticated = true;
      return { reauthenticatedUntil: new Date(), sessionId: "session-2", token: null };
    });
    renderApp("/security");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Turn off" }));
    const prompt = await screen.findByRole("form", { name: "Confirm your password" });
    await user.type(within(prompt).getByLabelText("Your password"), "correct horse");
    await user.click(within(prompt).getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(api.callsTo("mfa.disableTotp")).toHaveLength(2));
    expect(await screen.findByText(/Two-step verification is off/)).toBeTruthy();
  });
});
