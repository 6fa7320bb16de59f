// Passkeys (WebAuthn) with @simplewebauthn/server: registration, and authentication for sign-in
// (discoverable credentials, no user named first), as a second factor and for sudo mode. The RP ID
// and the one accepted origin come from APP_ORIGIN. User verification is required, so a passkey
// proves two factors (something you have, and a PIN or biometric).
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { DatabaseClient } from "../db.ts";
import type { WebAuthnCeremony } from "../generated/prisma/enums.ts";

// Loaded on the first passkey ceremony: the library and its dependencies take ~20 MiB of memory
// that a server answering only session requests never needs (docs/decisions/029-server-memory.md).
let webAuthn: Promise<typeof import("@simplewebauthn/server")> | null = null;
const loadWebAuthn = () => (webAuthn ??= import("@simplewebauthn/server"));

export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

const CHALLENGE_LIFETIME_MS = 5 * 60_000;
// What the browser waits for the user: the challenge outlives it a little.
const CEREMONY_TIMEOUT_MS = 4 * 60_000;

export const PASSKEY_SELECT = { id: true, name: true, createdAt: true, lastUsedAt: true, backedUp: true } as const;

/** The WebAuthn user handle of a user: their id (random, no personal data). */
function toUserHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/**
 * Stores a challenge for one ceremony; `sessionId` binds it to the session that asked (null: a
 * sign-in, which has no session yet). Long-expired challenges are swept on the way.
 */
async function saveChallenge(
  db: DatabaseClient,
  input: { challenge: string; ceremony: WebAuthnCeremony; sessionId: string | null; userId: string | null },
  now: Date,
): Promise<void> {
  await db.webAuthnChallenge.deleteMany({ where: { expiresAt: { lte: now } } });
  await db.webAuthnChallenge.create({ data: { ...input, expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS) } });
}

/**
 * Takes a challenge out of the store if it was issued for this ceremony and session and has not
 * expired: one DELETE, so a challenge is answered at most once, even by parallel requests.
 */
async function consumeChallenge(
  db: DatabaseClient,
  input: { challenge: string; ceremony: WebAuthnCeremony; sessionId: string | null },
  now: Date,
): Promise<boolean> {
  const { count } = await db.webAuthnChallenge.deleteMany({
    where: { challenge: input.challenge, ceremony: input.ceremony, sessionId: input.sessionId, expiresAt: { gt: now } },
  });
  return count === 1;
}

/** Options for navigator.credentials.create; the challenge is bound to the session. */
export async function createRegistrationOptions(
  db: DatabaseClient,
  rp: RelyingParty,
  input: { user: { id: string; email: string; name: string }; sessionId: string },
  now: Date,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await db.passkey.findMany({ where: { userId: input.user.id }, select: { id: true, transports: true } });
  const options = await (await loadWebAuthn()).generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: input.user.email,
    userID: toUserHandle(input.user.id),
    userDisplayName: input.user.name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing,
    // Discoverable, so it can sign in without an email; verified, so it is two factors.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await saveChallenge(db, { challenge: options.challenge, ceremony: "registration", sessionId: input.sessionId, userId: input.user.id }, now);
  return options;
}

export type PasskeyRegistration = { status: "registered"; passkey: { id: string; name: string } } | { status: "invalid" | "duplicate" };

/** Verifies a registration response against a challenge of this session and stores the passkey. */
export async function registerPasskey(
  db: DatabaseClient,
  rp: RelyingParty,
  input: { userId: string; sessionId: string; name: string; response: RegistrationResponseJSON },
  now: Date,
): Promise<PasskeyRegistration> {
  const { verifyRegistrationResponse } = await loadWebAuthn();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: (challenge) => consumeChallenge(db, { challenge, ceremony: "registration", sessionId: input.sessionId }, now),
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
    });
  } catch {
    // Wrong challenge, origin, RP ID, flags or signature: the library says which; the client need not know.
    return { status: "invalid" };
  }
  if (!verification.verified) return { status: "invalid" };
  const { credential, credentialBackedUp } = verification.registrationInfo;
  const created = await db.passkey.createMany({
    data: {
      id: credential.id,
      userId: input.userId,
      name: input.name,
      publicKey: new Uint8Array(credential.publicKey),
      counter: BigInt(credential.counter),
      transports: credential.transports ?? [],
      backedUp: credentialBackedUp,
      createdAt: now,
    },
    skipDuplicates: true,
  });
  if (created.count === 0) return { status: "duplicate" };
  return { status: "registered", passkey: { id: credential.id, name: input.name } };
}

/**
 * Options for navigator.credentials.get. For a sign-in (no session) the browser offers any passkey
 * of this site (discoverable; also conditional UI); for a session, only its user's passkeys, and
 * the challenge is bound to that session.
 */
export async function createAuthenticationOptions(
  db: DatabaseClient,
  rp: RelyingParty,
  input: { session: { id: string; userId: string } | null },
  now: Date,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allowCredentials = input.session
    ? await db.passkey.findMany({ where: { userId: input.session.userId }, select: { id: true, transports: true } })
    : undefined;
  const options = await (await loadWebAuthn()).generateAuthenticationOptions({ rpID: rp.rpId, allowCredentials, userVerification: "required", timeout: CEREMONY_TIMEOUT_MS });
  await saveChallenge(
    db,
    { challenge: options.challenge, ceremony: "authentication", sessionId: input.session?.id ?? null, userId: input.session?.userId ?? null },
    now,
  );
  return options;
}

/** The user whose passkey the response names (null: no such passkey, or not `userId`'s). */
export async function getPasskeyOwner(db: DatabaseClient, credentialId: string, userId: string | null): Promise<string | null> {
  const passkey = await db.passkey.findUnique({ where: { id: credentialId }, select: { userId: true } });
  return passkey && (userId === null || passkey.userId === userId) ? passkey.userId : null;
}

export type PasskeyAuthentication = { status: "valid"; userId: string } | { status: "invalid" };

/**
 * Verifies an authentication response: a challenge of this ceremony and session (or of a sign-in),
 * the origin and RP ID, user verification, the signature, and the signature counter. A counter that
 * does not grow (when the authenticator keeps one) means a cloned authenticator: refused.
 */
export async function verifyPasskeyAuthentication(
  db: DatabaseClient,
  rp: RelyingParty,
  input: { response: AuthenticationResponseJSON; sessionId: string | null; userId: string | null },
  now: Date,
): Promise<PasskeyAuthentication> {
  const passkey = await db.passkey.findUnique({
    where: { id: input.response.id },
    select: { id: true, userId: true, publicKey: true, counter: true, transports: true },
  });
  if (!passkey || (input.userId !== null && passkey.userId !== input.userId)) return { status: "invalid" };
  // A discoverable credential names its user; it must be the passkey's.
  const userHandle = input.response.response.userHandle;
  if (userHandle !== undefined && userHandle !== Buffer.from(toUserHandle(passkey.userId)).toString("base64url")) return { status: "invalid" };
  const { verifyAuthenticationResponse } = await loadWebAuthn();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: (challenge) => consumeChallenge(db, { challenge, ceremony: "authentication", sessionId: input.sessionId }, now),
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports },
      requireUserVerification: true,
    });
  } catch {
    return { status: "invalid" };
  }
  if (!verification.verified) return { status: "invalid" };
  // The counter moves only forward, also between two parallel uses of one response's successors.
  const newCounter = BigInt(verification.authenticationInfo.newCounter);
  const { count } = await db.passkey.updateMany({
    where: { id: passkey.id, ...(newCounter > 0n ? { counter: { lt: newCounter } } : {}) },
    data: { counter: newCounter, lastUsedAt: now },
  });
  return count === 1 ? { status: "valid", userId: passkey.userId } : { status: "invalid" };
}
