// Second factors against the real server: a second-factor-pending cookie on ordinary procedures,
// completing the sign-in (a new cookie), attempts counted first across a tRPC batch and parallel
// requests, and a passwordless passkey sign-in over HTTP.
import { describe, expect, it } from "vitest";
import { createCookieClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import { createAuthenticationResponse, createRegistrationResponse } from "../../../tests/setup/software-authenticator.ts";
import { computeTotpCode } from "../../../tests/setup/totp.ts";

const ORIGIN = "http://localhost:5173";
const COOKIE = "latchkey_session";
const FAILURE_LIMIT = 3;
const db = createTestDatabase();
const clock = createTestClock();
const config = createTestConfig({ APP_ORIGIN: ORIGIN, RATE_LIMIT_SECOND_FACTOR_FAILURES: String(FAILURE_LIMIT) });
const server = useTestServer({ db, config, clock: clock.now });

async function signIn(email: string) {
  const client = createCookieClient(server.url, { origin: ORIGIN });
  const response = await client.mutate("auth.signIn", { email, password: TEST_PASSWORD });
  expect(response.status).toBe(200);
  return { client, body: await readJson(response) };
}

/** A user with TOTP on, enrolled over HTTP. */
async function createTotpUser() {
  const user = await createTestUser(db);
  const { client } = await signIn(user.email);
  const { result } = await readJson(await client.mutate("mfa.startTotp"));
  const key: string = result.data.key;
  expect((await client.mutate("mfa.confirmTotp", { code: computeTotpCode(key, clock.now()) })).status).toBe(200);
  clock.advance(30_000);
  return { user, key };
}

describe("a second-factor-pending session over HTTP", () => {
  it("gets 401 with secondFactorRequired from ordinary procedures, keeps its cookie, and a code upgrades it to a new cookie", async () => {
    const { user, key } = await createTotpUser();
    const { client, body } = await signIn(user.email);
    expect(body.result.data.secondFactor).toEqual({ methods: ["totp", "recovery_code"] });
    const pendingToken = client.jar.get(COOKIE);

    const me = await client.query("auth.me");
    expect(me.status).toBe(401);
    expect((await readJson(me)).error.data).toMatchObject({ code: "UNAUTHORIZED", secondFactorRequired: true });
    expect(me.headers.getSetCookie()).toEqual([]);
    expect((await client.mutate("note.create", { title: "x" })).status).toBe(401);

    const verified = await client.mutate("mfa.verify", { method: "totp", code: computeTotpCode(key, clock.now()) });
    expect(verified.status).toBe(200);
    expect(verified.headers.get("cache-control")).toBe("no-store");
    expect(client.jar.get(COOKIE)).not.toBe(pendingToken);
    expect((await client.query("auth.me")).status).toBe(200);
  });

  it("counts codes first: one code check per request, and parallel requests get only the limit's worth", async () => {
    const { user, key } = await createTotpUser();
    const { client } = await signIn(user.email);
    const wrong = computeTotpCode(key, clock.now()) === "000000" ? "111111" : "000000";
    // A batch gets one code check; its other calls are refused before they are counted.
    const batch = await client.fetch("/trpc/mfa.verify,mfa.verify,mfa.verify?batch=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.fromEntries([0, 1, 2].map((index) => [index, { method: "totp", code: wrong }]))),
    });
    expect((await readJson(batch)).map((envelope: any) => envelope.error.message)).toEqual([
      "The code is incorrect or has already been used.",
      "Only one password or code check per request: send this call on its own.",
      "Only one password or code check per request: send this call on its own.",
    ]);
    // One attempt is spent; of four parallel ones, the limit's remainder is checked, the rest refused.
    const parallel = await Promise.all(Array.from({ length: 4 }, () => client.mutate("mfa.verify", { method: "recovery_code", code: "wrong-code" })));
    const codes = await Promise.all(parallel.map(async (response) => (await readJson(response)).error.data.code));
    expect(codes.filter((code: string) => code === "BAD_REQUEST")).toHaveLength(FAILURE_LIMIT - 1);
    expect(codes.filter((code: string) => code === "TOO_MANY_REQUESTS")).toHaveLength(4 - (FAILURE_LIMIT - 1));
    const right = await client.mutate("mfa.verify", { method: "totp", code: computeTotpCode(key, clock.now()) });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("a passkey over HTTP", () => {
  it("registers from a browser session and signs in without a password, setting a full session cookie", async () => {
    const user = await createTestUser(db);
    const { client } = await signIn(user.email);
    const options = (await readJson(await client.mutate("passkey.registrationOptions"))).result.data;
    const ceremony = { origin: ORIGIN, rpId: "localhost" };
    const { response, credential } = createRegistrationResponse(options, ceremony);
    expect((await client.mutate("passkey.register", { name: "Laptop", response })).status).toBe(200);

    const device = createCookieClient(server.url, { origin: ORIGIN });
    const signInOptions = (await readJson(await device.mutate("passkey.signInOptions"))).result.data;
    const assertion = createAuthenticationResponse(credential, signInOptions.challenge, ceremony);
    const signedIn = await device.mutate("passkey.signIn", { response: assertion });
    expect(signedIn.status).toBe(200);
    expect(device.jar.get(COOKIE)).toBeTruthy();
    expect((await readJson(await device.query("auth.me"))).result.data.session.factors).toEqual(["passkey"]);
    // The same assertion again (a replay) is refused.
    expect((await createCookieClient(server.url, { origin: ORIGIN }).mutate("passkey.signIn", { response: assertion })).status).toBe(401);
  });
});
