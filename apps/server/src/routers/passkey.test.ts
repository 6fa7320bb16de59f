// Passkeys through the router on a real database, answered by a software authenticator that signs
// real WebAuthn responses: registration, passwordless sign-in, second factor, sudo mode, and every
// refusal (replayed challenge, another origin, another session's challenge, no user verification,
// a signature counter that does not grow).
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestCaller,
  createTestClock,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  signInWithPassword,
} from "../../../../tests/setup/server.ts";
import {
  createAuthenticationResponse,
  createRegistrationResponse,
  type CeremonyOptions,
  type SoftwareCredential,
} from "../../../../tests/setup/software-authenticator.ts";

const ORIGIN = "http://localhost:5173";
const db = createTestDatabase();
const config = createTestConfig({ APP_ORIGIN: ORIGIN });
const ceremony: CeremonyOptions = { origin: ORIGIN, rpId: "localhost" };
afterAll(() => db.$disconnect());

type Clock = ReturnType<typeof createTestClock>;

const callerFor = (token: string, clock: Clock) => createTestCaller({ db, config, clock: clock.now }, { type: "cookie", token });

const signIn = (email: string, clock: Clock) => signInWithPassword({ db, config, clock: clock.now }, email);

/** A user signed in (fresh, so in sudo mode) with one registered passkey. */
async function createPasskeyUser(clock: Clock) {
  const user = await createTestUser(db);
  const { token } = await signIn(user.email, clock);
  const { caller } = await callerFor(token, clock);
  const options = await caller.passkey.registrationOptions();
  const { response, credential } = createRegistrationResponse(options, ceremony);
  const registered = await caller.passkey.register({ name: "Laptop", response });
  return { user, token, caller, credential, registered };
}

async function passwordlessSignIn(credential: SoftwareCredential, clock: Clock, overrides: Partial<CeremonyOptions & { counter: number }> = {}) {
  const { caller, cookie } = await createTestCaller({ db, config, clock: clock.now });
  const options = await caller.passkey.signInOptions();
  const response = createAuthenticationResponse(credential, options.challenge, { ...ceremony, ...overrides });
  const result = await caller.passkey.signIn({ response });
  return { result, token: cookie.token!, response, options };
}

describe("passkey registration", () => {
  it("registers several passkeys with names; the first brings recovery codes; they can be renamed and deleted", async () => {
    const clock = createTestClock();
    const { user, caller, registered } = await createPasskeyUser(clock);
    expect(registered.recoveryCodes).toHaveLength(10);
    clock.advance(1_000);
    const options = await caller.passkey.registrationOptions();
    expect(options.rp).toEqual({ id: "localhost", name: "latchkey" });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    // The first passkey is excluded, so the same authenticator is not registered twice.
    expect(options.excludeCredentials).toEqual([{ id: registered.passkey.id, type: "public-key", transports: ["internal"] }]);
    const second = await caller.passkey.register({ name: "Phone", response: createRegistrationResponse(options, ceremony).response });
    expect(second.recoveryCodes).toBeNull();
    expect((await caller.passkey.list()).map((passkey) => passkey.name)).toEqual(["Laptop", "Phone"]);
    await caller.passkey.rename({ id: second.passkey.id, name: "Work phone" });
    expect((await caller.passkey.list()).map((passkey) => passkey.name)).toEqual(["Laptop", "Work phone"]);
    await caller.passkey.delete({ id: second.passkey.id });
    expect(await caller.mfa.status()).toEqual({ totp: false, passkeys: 1, recoveryCodesLeft: 10 });
    // Another user's passkey is not found.
    const other = await createPasskeyUser(clock);
    await expect(other.caller.passkey.rename({ id: registered.passkey.id, name: "Mine" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.caller.passkey.delete({ id: registered.passkey.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
  });

  it("refuses a replayed challenge, another origin, another session's challenge and no user verification", async () => {
    const clock = createTestClock();
    const user = await createTestUser(db);
    const { caller } = await callerFor((await signIn(user.email, clock)).token, clock);
    const { caller: otherSession } = await callerFor((await signIn(user.email, clock)).token, clock);

    const options = await caller.passkey.registrationOptions();
    const { response } = createRegistrationResponse(options, { ...ceremony, origin: "http://evil.example" });
    await expect(caller.passkey.register({ name: "x", response })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // The challenge was spent by that attempt: a correct answer to it fails too.
    await expect(caller.passkey.register({ name: "x", response: createRegistrationResponse(options, ceremony).response })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });

    const forOther = await otherSession.passkey.registrationOptions();
    await expect(caller.passkey.register({ name: "x", response: createRegistrationResponse(forOther, ceremony).response })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });

    const unverified = await caller.passkey.registrationOptions();
    await expect(
      caller.passkey.register({ name: "x", response: createRegistrationResponse(unverified, { ...ceremony, userVerified: false }).response }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const good = await caller.passkey.registrationOptions();
    const answer = createRegistrationResponse(good, ceremony).response;
    await caller.passkey.register({ name: "ok", response: answer });
    await expect(caller.passkey.register({ name: "again", response: answer })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
  });

  it("needs sudo mode for options and for deleting", async () => {
    const clock = createTestClock();
    const { token, registered } = await createPasskeyUser(clock);
    clock.advance(config.reauthenticationWindowMs);
    const { caller } = await callerFor(token, clock);
    await expect(caller.passkey.registrationOptions()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.passkey.delete({ id: registered.passkey.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("passwordless sign-in", () => {
  it("a verified passkey signs in as both factors", async () => {
    const clock = createTestClock();
    const { user, credential } = await createPasskeyUser(clock);
    const { result, token, options } = await passwordlessSignIn(credential, clock);
    expect(options.allowCredentials).toBeUndefined();
    expect(options.userVerification).toBe("required");
    expect(result.user).toEqual(user);
    const me = await (await callerFor(token, clock)).caller.auth.me();
    expect(me?.session).toMatchObject({ factors: ["passkey"], secondFactorAt: clock.now() });
  });

  it("refuses a replayed response, another origin, an unverified user and an unknown passkey", async () => {
    const clock = createTestClock();
    const { credential } = await createPasskeyUser(clock);
    const { response } = await passwordlessSignIn(credential, clock);
    const { caller } = await createTestCaller({ db, config, clock: clock.now });
    await expect(caller.passkey.signIn({ response })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(passwordlessSignIn(credential, clock, { origin: "https://localhost.evil.example" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(passwordlessSignIn(credential, clock, { userVerified: false })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(passwordlessSignIn(credential, clock, { rpId: "evil.example" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const stranger = createRegistrationResponse({ challenge: "x", user: { id: "nobody" } }, ceremony).credential;
    await expect(passwordlessSignIn(stranger, clock)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("a signature counter must grow once the authenticator counts", async () => {
    const clock = createTestClock();
    const { credential, registered } = await createPasskeyUser(clock);
    await passwordlessSignIn(credential, clock, { counter: 5 });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: registered.passkey.id } })).counter).toBe(5n);
    // The same or a lower value means a cloned authenticator.
    await expect(passwordlessSignIn(credential, clock, { counter: 5 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(passwordlessSignIn(credential, clock, { counter: 3 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(passwordlessSignIn(credential, clock, { counter: 6 })).resolves.toBeTruthy();
  });

  it("an expired challenge is refused", async () => {
    const clock = createTestClock();
    const { credential } = await createPasskeyUser(clock);
    const { caller } = await createTestCaller({ db, config, clock: clock.now });
    const options = await caller.passkey.signInOptions();
    clock.advance(5 * 60_000);
    const late = await createTestCaller({ db, config, clock: clock.now });
    const response = createAuthenticationResponse(credential, options.challenge, ceremony);
    await expect(late.caller.passkey.signIn({ response })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("a passkey as the second factor and for sudo mode", () => {
  it("completes a password sign-in (pending session) with a challenge bound to that session", async () => {
    const clock = createTestClock();
    const { user, credential } = await createPasskeyUser(clock);
    const { result, token } = await signIn(user.email, clock);
    expect(result.secondFactor).toEqual({ methods: ["passkey", "recovery_code"] });
    const pending = await callerFor(token, clock);
    await expect(pending.caller.passkey.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // A sign-in challenge (bound to no session) does not complete a pending session.
    const signInChallenge = await (await createTestCaller({ db, config, clock: clock.now })).caller.passkey.signInOptions();
    await expect(
      pending.caller.passkey.verify({ response: createAuthenticationResponse(credential, signInChallenge.challenge, ceremony) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const options = await pending.caller.passkey.authenticationOptions();
    expect(options.allowCredentials).toEqual([{ id: credential.id, type: "public-key", transports: ["internal"] }]);
    await pending.caller.passkey.verify({ response: createAuthenticationResponse(credential, options.challenge, ceremony) });
    expect(pending.cookie.token).not.toBe(token);
    const me = await (await callerFor(pending.cookie.token!, clock)).caller.auth.me();
    expect(me?.session).toMatchObject({ factors: ["password", "passkey"] });
  });

  it("another user's passkey does not complete the sign-in", async () => {
    const clock = createTestClock();
    const { user } = await createPasskeyUser(clock);
    const other = await createPasskeyUser(clock);
    const { token } = await signIn(user.email, clock);
    const pending = await callerFor(token, clock);
    const options = await pending.caller.passkey.authenticationOptions();
    await expect(
      pending.caller.passkey.verify({ response: createAuthenticationResponse(other.credential, options.challenge, ceremony) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("opens sudo mode instead of the password", async () => {
    const clock = createTestClock();
    const { credential, registered, token } = await createPasskeyUser(clock);
    clock.advance(config.reauthenticationWindowMs);
    const session = await callerFor(token, clock);
    await expect(session.caller.passkey.delete({ id: registered.passkey.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const options = await session.caller.passkey.authenticationOptions();
    await session.caller.passkey.verify({ response: createAuthenticationResponse(credential, options.challenge, ceremony) });
    const stepped = await callerFor(session.cookie.token!, clock);
    await expect(stepped.caller.passkey.delete({ id: registered.passkey.id })).resolves.toEqual({ deleted: true });
  });
});
