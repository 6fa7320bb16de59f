import { afterAll, describe, expect, it } from "vitest";
import { createSession } from "../auth/session.ts";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function signedInCaller() {
  const user = await createTestUser(db);
  const { token } = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return { user, ...(await createTestCaller({ db, config }, { type: "cookie", token })) };
}

describe("note router", () => {
  it("requires a session", async () => {
    const { caller } = await createTestCaller({ db, config });
    await expect(caller.note.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.note.create({ title: "x" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("creates, lists, reads, updates and deletes the user's notes", async () => {
    const { caller } = await signedInCaller();
    const note = await caller.note.create({ title: "  Groceries ", body: "milk" });
    expect(note).toMatchObject({ title: "Groceries", body: "milk" });
    expect(await caller.note.list()).toEqual([note]);
    expect(await caller.note.byId({ id: note.id })).toEqual(note);
    const updated = await caller.note.update({ id: note.id, title: "Groceries", body: "milk, eggs" });
    expect(updated.body).toBe("milk, eggs");
    await caller.note.delete({ id: note.id });
    expect(await caller.note.list()).toEqual([]);
  });

  it("treats another user's note as missing: NOT_FOUND, never changed", async () => {
    const owner = await signedInCaller();
    const other = await signedInCaller();
    const note = await owner.caller.note.create({ title: "Private" });
    for (const attempt of [
      () => other.caller.note.byId({ id: note.id }),
      () => other.caller.note.update({ id: note.id, title: "Hacked" }),
      () => other.caller.note.delete({ id: note.id }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await other.caller.note.list()).toEqual([]);
    expect(await owner.caller.note.byId({ id: note.id })).toMatchObject({ title: "Private" });
  });

  it("rejects an empty title with a field error and writes nothing", async () => {
    const { caller, user } = await signedInCaller();
    await expect(caller.note.create({ title: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
  });
});
