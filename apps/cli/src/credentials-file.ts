// Where the CLI keeps its sign-in: the server URL, the bearer session token and the current access
// token, in one JSON file readable by the user alone (0600, in a 0700 directory).
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

const FILE_NAME = "credentials.json";

export interface StoredAccessToken {
  token: string;
  /** ISO date: the token's `exp`. */
  expiresAt: string;
}

export interface Credentials {
  serverUrl: string;
  /** The bearer session token `<id>.<secret>`: the long-lived secret, sent only to refresh or sign out. */
  sessionToken: string;
  accessToken: StoredAccessToken | null;
}

/** $LATCHKEY_CONFIG_DIR, else $XDG_CONFIG_HOME/latchkey, else ~/.config/latchkey. */
export function getCredentialsPath(env: Record<string, string | undefined>): string {
  const directory = env.LATCHKEY_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(homedir(), ".config"), "latchkey");
  return path.join(directory, FILE_NAME);
}

/** The stored credentials; null when there are none (never signed in, or signed out). */
export async function readCredentials(file: string): Promise<Credentials | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const value = JSON.parse(text) as Partial<Credentials>;
  if (typeof value.serverUrl !== "string" || typeof value.sessionToken !== "string") {
    throw new Error(`${file} is not a latchkey credentials file; delete it and sign in again.`);
  }
  return { serverUrl: value.serverUrl, sessionToken: value.sessionToken, accessToken: value.accessToken ?? null };
}

/**
 * Writes the file atomically: a new 0600 file renamed over the old one, so the token is never
 * readable by others, not even for a moment, and a crash never leaves half a file.
 */
export async function writeCredentials(file: string, credentials: Credentials): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  await rename(temporary, file);
}

export async function deleteCredentials(file: string): Promise<void> {
  await rm(file, { force: true });
}
