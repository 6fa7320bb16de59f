import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

type Note = { id: string; title: string; body: string; createdAt: Date; updatedAt: Date };

let api: ReturnType<typeof installFakeApi>;
let notes: Note[];
// Lets a test hold the list's answer back, to see what the page shows meanwhile.
let listAnswered: Promise<void>;

beforeEach(() => {
  api = installFakeApi();
  notes = [];
  listAnswered = Promise.resolve();
  api.on("auth.me", () => SIGNED_IN);
  api.on("account.get", () => ({ role: "user" }));
  api.on("note.list", async () => {
    await listAnswered;
    return notes;
  });
  api.on("note.create", (input) => {
    const now = new Date();
    const created = { id: `note-${notes.length + 1}`, ...(input as { title: string; body: string }), createdAt: now, updatedAt: now };
    notes = [created, ...notes];
    return created;
  });
  api.on("note.delete", (input) => {
    const { id } = input as { id: string };
    notes = notes.filter((note) => note.id !== id);
    return { deleted: id };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("NotesPage", () => {
  it("shows placeholder cards while loading, then an empty state", async () => {
    let answer!: () => void;
    listAnswered = new Promise((resolve) => (answer = resolve));
    renderApp("/");
    expect(await screen.findByRole("status", { name: "Loading notes" })).toBeTruthy();
    answer();
    expect(await screen.findByText("No notes yet")).toBeTruthy();
    expect(screen.queryByRole("status", { name: "Loading notes" })).toBeNull();
  });

  it("confirms a created note with a toast", async () => {
    renderApp("/");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Title"), "Groceries");
    await user.click(screen.getByRole("button", { name: "Create note" }));
    expect(await screen.findByRole("article", { name: "Groceries" })).toBeTruthy();
    expect(screen.getByText("Note created.")).toBeTruthy();
  });

  it("asks before deleting: Keep keeps the note, Delete deletes it and says so", async () => {
    notes = [{ id: "note-9", title: "Spare key", body: "", createdAt: new Date(), updatedAt: new Date() }];
    renderApp("/");
    const user = userEvent.setup();
    const note = await screen.findByRole("article", { name: "Spare key" });

    await user.click(within(note).getByRole("button", { name: "Delete" }));
    const confirm = within(note).getByRole("group", { name: "Delete this note?" });
    await user.click(within(confirm).getByRole("button", { name: "Keep" }));
    expect(api.callsTo("note.delete")).toEqual([]);
    expect(within(note).getByRole("button", { name: "Edit" })).toBeTruthy();

    await user.click(within(note).getByRole("button", { name: "Delete" }));
    await user.click(within(within(note).getByRole("group", { name: "Delete this note?" })).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("article", { name: "Spare key" })).toBeNull());
    expect(api.callsTo("note.delete")).toEqual([{ id: "note-9" }]);
    expect(screen.getByText('Deleted "Spare key".')).toBeTruthy();
  });
});
