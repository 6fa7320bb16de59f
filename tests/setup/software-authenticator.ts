// A software WebAuthn authenticator for server tests: makes real registration and authentication
// responses (attestation "none", ES256) the way a browser and a passkey would, so the server's
// WebAuthn code runs unmocked. Written from the spec, independently of @simplewebauthn.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

/** The CBOR subset WebAuthn needs: unsigned/negative integers, byte and text strings, maps. */
function encodeCbor(value: number | string | Uint8Array | Map<number | string, unknown>): Buffer {
  const head = (major: number, length: number) => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 256) return Buffer.from([(major << 5) | 24, length]);
    const buffer = Buffer.alloc(3);
    buffer[0] = (major << 5) | 25;
    buffer.writeUInt16BE(length, 1);
    return buffer;
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const entries = [...value].flatMap(([key, entry]) => [encodeCbor(key), encodeCbor(entry as never)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();
const base64url = (data: Uint8Array) => Buffer.from(data).toString("base64url");

export interface SoftwareCredential {
  id: string;
  privateKey: KeyObject;
  /** The user handle from the registration options, base64url as they carry it. */
  userHandle: string;
  counter: number;
}

export interface CeremonyOptions {
  /** The page's origin as the browser reports it (default: the test config's APP_ORIGIN). */
  origin: string;
  rpId: string;
  /** User verification (PIN, biometric) performed. */
  userVerified?: boolean;
}

/** A registration response to options from passkey.registrationOptions; keep the credential to sign in later. */
export function createRegistrationResponse(
  options: { challenge: string; user: { id: string } },
  ceremony: CeremonyOptions,
) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const coseKey = new Map<number, unknown>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x!, "base64url")],
    [-3, Buffer.from(jwk.y!, "base64url")],
  ]);
  const credentialId = randomBytes(16);
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credentialId.length);
  const flags = FLAG_USER_PRESENT | FLAG_ATTESTED_CREDENTIAL | (ceremony.userVerified === false ? 0 : FLAG_USER_VERIFIED);
  const authData = Buffer.concat([sha256(ceremony.rpId), Buffer.from([flags]), Buffer.alloc(4), Buffer.alloc(16), idLength, credentialId, encodeCbor(coseKey)]);
  const clientDataJSON = JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin: ceremony.origin, crossOrigin: false });
  const attestationObject = encodeCbor(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
  const id = base64url(credentialId);
  return {
    response: {
      id,
      rawId: id,
      type: "public-key" as const,
      response: { clientDataJSON: base64url(Buffer.from(clientDataJSON)), attestationObject: base64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
    },
    credential: { id, privateKey, userHandle: options.user.id, counter: 0 } satisfies SoftwareCredential,
  };
}

/**
 * An authentication (assertion) response to `challenge`, signed by `credential`. `counter` is the
 * signature counter to report (default: the credential's, which then goes up by one if non-zero).
 */
export function createAuthenticationResponse(
  credential: SoftwareCredential,
  challenge: string,
  ceremony: CeremonyOptions & { counter?: number },
) {
  const counter = ceremony.counter ?? credential.counter;
  const counterBytes = Buffer.alloc(4);
  counterBytes.writeUInt32BE(counter);
  const flags = FLAG_USER_PRESENT | (ceremony.userVerified === false ? 0 : FLAG_USER_VERIFIED);
  const authenticatorData = Buffer.concat([sha256(ceremony.rpId), Buffer.from([flags]), counterBytes]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge, origin: ceremony.origin, crossOrigin: false }));
  const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
  return {
    id: credential.id,
    rawId: credential.id,
    type: "public-key" as const,
    response: {
      clientDataJSON: base64url(clientDataJSON),
      authenticatorData: base64url(authenticatorData),
      signature: base64url(signature),
      userHandle: credential.userHandle,
    },
    clientExtensionResults: {},
  };
}
