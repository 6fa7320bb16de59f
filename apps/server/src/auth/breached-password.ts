// Optional check of a new password against Have I Been Pwned's Pwned Passwords (PASSWORD_BREACH_CHECK
// =hibp), by k-anonymity: only the first 5 hex digits of the password's SHA-1 leave the server, and
// the answer lists every breached suffix under that prefix. https://haveibeenpwned.com/API/v3#PwnedPasswords
import { createHash } from "node:crypto";

export interface PasswordBreachCheckConfig {
  /** The range API's base URL; the 5-digit prefix is appended. */
  rangeUrl: string;
  timeoutMs: number;
}

export const HIBP_RANGE_URL = "https://api.pwnedpasswords.com/range/";
const SHA1_PREFIX_LENGTH = 5;

/**
 * True when the range API lists `password` as breached. A time-out, an error answer or a network
 * failure lets the password through (false) and logs one line: the check must not stop sign-ups.
 */
export async function isPasswordBreached(config: PasswordBreachCheckConfig, password: string): Promise<boolean> {
  const digest = createHash("sha1").update(password).digest("hex").toUpperCase();
  const prefix = digest.slice(0, SHA1_PREFIX_LENGTH);
  const suffix = digest.slice(SHA1_PREFIX_LENGTH);
  try {
    // Padding makes every answer about the same size, so its length does not hint at the prefix.
    const response = await fetch(`${config.rangeUrl}${prefix}`, {
      headers: { "Add-Padding": "true" },
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = await response.text();
    return body.split("\n").some((line) => {
      const [lineSuffix, count] = line.trim().split(":");
      // Padding entries have a count of 0.
      return lineSuffix === suffix && Number(count) > 0;
    });
  } catch (error) {
    console.warn(`password breach check skipped: ${(error as Error).message}`);
    return false;
  }
}
