import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiFailure, installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

let api: ReturnType<typeof installFakeApi>;
let role: "user" | "admin";
let sessions: Array<{ id: string }>;
let mfa: { totp: boolean; passkeys: number; recoveryCodesLeft: number };

const ALAN = { id: "user-2", email: "alan@example.com", name: "Alan Turing", role: "user", createdAt: new Date() };

function makeSession(id: string) {
  const now = new Date();
  return { id, userId: ALAN.id, kind: "bearer", createdAt: now, lastActiveAt: now, expiresAt: now, userAgent: "latchkey-cli/1.0", ip: "203.0.113.7", current: false };
}

beforeEach(() => {
  api = installFakeApi();
  role = "admin";
  sessions = [makeSession("session-a"), makeSession("session-b")];
  mfa = { totp: false, passkeys: 0, recoveryCodesLeft: 0 };
  api.on("auth.me", () => SIGNED_IN);
  api.on("account.get", () => ({ ...SIGNED_IN.user, role, createdAt: new Date() }));
  api.on("note.list", () => []);
  api.on("admin.listUserSessions", (input) => {
    if (role !== "admin") throw new ApiFailure("FORBIDDEN", "This needs an administrator account.");
    expect(input).toEqual({ email: ALAN.email });
    return { user: ALAN, sessions, mfa };
  });
  api.on("admin.revokeUserSessions", (input) => {
    const { sessionId } = input as { sessionId?: string };
    const before = sessions.length;
    sessions = sessionId ? sessions.filter((session) => session.id !== sessionId) : [];
    return { revoked: before - sessions.length };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AdminPage", () => {
  it("is in the navigation for admins only", async () => {
    renderApp("/");
    const navigation = await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(within(navigation).getByRole("link", { name: "Admin" })).toBeTruthy());

    cleanup();
    role = "user";
    renderApp("/");
    await screen.findByRole("heading", { name: "Notes" });
    await waitFor(() => expect(api.callsTo("account.get").length).toBeGreaterThan(1));
    expect(within(screen.getByRole("navigation", { name: "Main" })).queryByRole("link", { name: "Admin" })).toBeNull();
  });

  it("tells a non-admin who opens it directly that it is not for them, and asks the server nothing", async () => {
    role = "user";
    renderApp("/admin");
    expect(await screen.findByText("This page is for administrators.")).toBeTruthy();
    expect(api.callsTo("admin.listUserSessions")).toEqual([]);
  });

  it("finds a user by email, lists their sessions and ends one, then all", async () => {
    renderApp("/admin");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Email or user id"), ALAN.email);
    await user.click(screen.getByRole("button", { name: "Find" }));

    const list = await screen.findByRole("list", { name: `Sessions of ${ALAN.email}` });
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);
    expect(within(list).getAllByText("203.0.113.7")).toHaveLength(2);

    await user.click(within(screen.getByRole("listitem", { name: "App token session-a" })).getByRole("button", { name: "End session" }));
    expect(await screen.findByText("Ended 1 session.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "App token session-a" })).toBeNull());

    await user.click(screen.getByRole("button", { name: "End all sessions" }));
    expect(await screen.findByText("No active sessions.")).toBeTruthy();
    expect(api.callsTo("admin.revokeUserSessions")).toEqual([{ userId: ALAN.id, sessionId: "session-a" }, { userId: ALAN.id }]);
  });

  it("shows a user's two-step verification and resets it", async () => {
    mfa = { totp: true, passkeys: 2, recoveryCodesLeft: 7 };
    api.on("admin.resetUserMfa", (input) => {
      expect(input).toEqual({ userId: ALAN.id });
      mfa = { totp: false, passkeys: 0, recoveryCodesLeft: 0 };
      sessions = [];
      return { revoked: 2 };
    });
    renderApp("/admin");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Email or user id"), ALAN.email);
    await user.click(screen.getByRole("button", { name: "Find" }));
    expect(await screen.findByText("Two-step verification: on (authenticator app, 2 passkeys; 7 recovery codes left)")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Reset two-step verification" }));
    expect(await screen.findByText("Two-step verification was reset and every session of this user ended.")).toBeTruthy();
    expect(await screen.findByText("Two-step verification: off")).toBeTruthy();
  });
});
