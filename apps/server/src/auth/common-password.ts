// Common passwords are refused at sign-up and password change (ASVS 5.0 6.2.4): the 49,000 most
// common passwords of zxcvbn-ts's list (@zxcvbn-ts/language-common), compared case-insensitively.

let commonPasswords: Promise<ReadonlySet<string>> | null = null;

/**
 * True for a password on the list, in any letter case. The list is loaded and decompressed on
 * first use: ~14 MiB of memory that a server answering only session requests never needs
 * (docs/decisions/029-server-memory.md).
 */
export async function isCommonPassword(password: string): Promise<boolean> {
  commonPasswords ??= import("@zxcvbn-ts/language-common").then(({ dictionary }) => new Set(dictionary["passwords-common"]));
  return (await commonPasswords).has(password.toLowerCase());
}
