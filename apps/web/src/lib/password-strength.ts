// The strength hint under new-password fields. The common-password list (the one the server refuses
// passwords from, @zxcvbn-ts/language-common) is ~220 KB gzipped, so it is loaded on first use in a
// chunk of its own, never in the initial bundle. The server decides; this only warns early.

// The server's PASSWORD_MIN_LENGTH (apps/server/src/auth/password.ts); the web app imports no server code.
const PASSWORD_MIN_LENGTH = 8;
// Below this a password is fair at best; a passphrase of a few words passes it easily.
const STRONG_PASSWORD_LENGTH = 12;

export type PasswordStrength = { level: "weak" | "fair" | "strong"; message: string };

let commonPasswords: Promise<ReadonlySet<string>> | null = null;

/** The common-password list, fetched once on first call. */
export function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  commonPasswords ??= import("@zxcvbn-ts/language-common").then(({ dictionary }) => new Set(dictionary["passwords-common"]));
  return commonPasswords;
}

/** A hint for `password` (null when empty); `common` is the list once loaded, or null before. */
export function ratePassword(password: string, common: ReadonlySet<string> | null): PasswordStrength | null {
  if (password === "") return null;
  if (password.length < PASSWORD_MIN_LENGTH) return { level: "weak", message: `Too short: use at least ${PASSWORD_MIN_LENGTH} characters.` };
  if (common?.has(password.toLowerCase())) {
    return { level: "weak", message: "Too common: this is one of the most common passwords, and it will be refused." };
  }
  if (password.length < STRONG_PASSWORD_LENGTH) return { level: "fair", message: "Fair: a longer password or a passphrase is stronger." };
  return { level: "strong", message: "Strong." };
}
