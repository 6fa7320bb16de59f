import { afterAll, describe, expect, it } from "vitest";
import { createSession } from "../auth/session.ts";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function signedIn(userId: string, kind: "cookie" | "bearer" = "cookie", userAgent = "vitest") {
  const { token, session } = await createSession(db, { userId, kind, metadata: { userAgent, ip: "10.0.0.1" } }, config.session, new Date());
  return { token, session, ...(await createTestCaller({ db, config }, { type: kind, token })) };
}

describe("session router", () => {
  it("lists the user's own sessions with the current one marked and no secrets", async () => {
    const user = await createTestUser(db);
    const stranger = await createTestUser(db);
    await signedIn(stranger.id);
    await signedIn(user.id, "bearer", "latchkey-cli/1.0");
    const current = await signedIn(user.id, "cookie", "Mozilla/5.0 Firefox/140.0");

    const sessions = await current.caller.session.list();
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.current)).toMatchObject({ id: current.session.id, kind: "cookie", userAgent: "Mozilla/5.0 Firefox/140.0", ip: "10.0.0.1" });
    expect(sessions.find((s) => !s.current)).toMatchObject({ kind: "bearer", userAgent: "latchkey-cli/1.0" });
    expect(JSON.stringify(sessions)).not.toMatch(/secretHash/);
  });

  it("revokes one of the user's sessions; the revoked token stops working at once", async () => {
    const user = await createTestUser(db);
    const other = await signedIn(user.id);
    const current = await signedIn(user.id);
    await current.caller.session.revoke({ id: other.session.id });
    const retry = await createTestCaller({ db, config }, { type: "cookie", token: other.token });
    await expect(retry.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("answers NOT_FOUND for another user's session and leaves it alone", async () => {
    const victim = await signedIn((await createTestUser(db)).id);
    const attacker = await signedIn((await createTestUser(db)).id);
    await expect(attacker.caller.session.revoke({ id: victim.session.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.session.findUnique({ where: { id: victim.session.id } })).not.toBeNull();
  });

  it("revoking the current session clears the cookie", async () => {
    const current = await signedIn((await createTestUser(db)).id);
    await current.caller.session.revoke({ id: current.session.id });
    expect(current.cookie.cleared).toBe(true);
  });

  it("revokeOthers keeps only the current session", async () => {
    const user = await createTestUser(db);
    await signedIn(user.id);
    await signedIn(user.id, "bearer");
    const current = await signedIn(user.id);
    expect(await current.caller.session.revokeOthers()).toEqual({ revoked: 2 });
    expect(await db.session.findMany({ where: { userId: user.id }, select: { id: true } })).toEqual([{ id: current.session.id }]);
  });
});
