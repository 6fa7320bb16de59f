import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

const MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE_SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

function makeSession(id: string, userAgent: string | null, current: boolean) {
  const now = new Date();
  return { id, userId: "user-1", kind: "cookie", createdAt: now, lastActiveAt: now, expiresAt: now, userAgent, ip: "203.0.113.7", current };
}

let api: ReturnType<typeof installFakeApi>;
let sessions: ReturnType<typeof makeSession>[];

beforeEach(() => {
  api = installFakeApi();
  sessions = [makeSession("session-1", MAC_FIREFOX, true), makeSession("session-2", IPHONE_SAFARI, false)];
  api.on("auth.me", () => SIGNED_IN);
  api.on("session.list", () => sessions);
  api.on("session.revoke", (input) => {
    const { id } = input as { id: string };
    sessions = sessions.filter((session) => session.id !== id);
    return { revoked: id };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("SessionsPage", () => {
  it("names each device and marks the current one, which cannot be revoked here", async () => {
    renderApp("/sessions");

    const current = await screen.findByRole("listitem", { name: "Firefox 128 on macOS (this device)" });
    expect(within(current).getByText("This device")).toBeTruthy();
    expect(within(current).getByText("Computer")).toBeTruthy();
    expect(within(current).queryByRole("button", { name: "Revoke" })).toBeNull();
    const other = screen.getByRole("listitem", { name: "Safari 17 on iPhone" });
    expect(within(other).getByText("Phone")).toBeTruthy();
    expect(within(other).getByText("203.0.113.7")).toBeTruthy();
    expect(within(other).getByText("Browser")).toBeTruthy();
  });

  it("revokes another session and shows the list without it", async () => {
    renderApp("/sessions");
    const other = await screen.findByRole("listitem", { name: "Safari 17 on iPhone" });

    await userEvent.setup().click(within(other).getByRole("button", { name: "Revoke" }));

    await waitFor(() => expect(screen.queryByRole("listitem", { name: "Safari 17 on iPhone" })).toBeNull());
    expect(api.callsTo("session.revoke")).toEqual([{ id: "session-2" }]);
    expect(screen.getByText("Signed out Safari 17 on iPhone.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign out everywhere else" }).hasAttribute("disabled")).toBe(true);
  });
});
