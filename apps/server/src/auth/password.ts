// Password hashing with argon2id at OWASP's minimum recommended cost (m=19 MiB, t=2, p=1).
import { hash, verify } from "@node-rs/argon2";

// @node-rs/argon2 exports `Algorithm` as a const enum, which isolated-module builds cannot inline.
const ARGON2ID = 2;
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
// Long enough for passphrases and managers (NIST 800-63B asks for at least 64); bounded so a
// request cannot make argon2 hash megabytes.
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | null = null;

/**
 * Verifies `password` against `passwordHash`, or against a dummy hash when there is no user, so
 * that an unknown email costs the same argon2 work as a wrong password (no account enumeration).
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword(crypto.randomUUID());
    await verify(await dummyHash, password);
    return false;
  }
  return verify(passwordHash, password);
}
