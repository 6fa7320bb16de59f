// Common passwords are refused at sign-up and password change (ASVS 5.0 6.2.4): the 49,000 most
// common passwords of zxcvbn-ts's list (@zxcvbn-ts/language-common), compared case-insensitively.
import { dictionary } from "@zxcvbn-ts/language-common";

let commonPasswords: ReadonlySet<string> | null = null;

/** True for a password on the list, in any letter case. The list is decompressed on first use. */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary["passwords-common"]);
  return commonPasswords.has(password.toLowerCase());
}
