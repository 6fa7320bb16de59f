// The development ports (API_PORT, WEB_PORT, DB_PORT): the variable's value when it is set, else
// the default, or the next free port after it when another program (another latchkey app, say)
// already holds the default. A port set explicitly is never moved: a taken one stops with a message
// that names its variable. `pnpm dev`, `pnpm db` and `pnpm prisma` choose through here.
import { isPortInUse } from "./port.ts";

export const DEFAULT_API_PORT = 3000;
export const DEFAULT_WEB_PORT = 5173;
/** The embedded database; its shadow server (for `prisma migrate dev`) listens on the port after it. */
export const DEFAULT_DB_PORT = 54329;
// How far past a taken default to look before giving up.
const PORT_SEARCH_SPAN = 50;

export type PortVariable = "API_PORT" | "WEB_PORT" | "DB_PORT" | "LOCAL_OIDC_PORT";

export interface ChosenPort {
  port: number;
  /** Set when the default was taken and the next free port was chosen instead. */
  movedFrom: number | null;
}

export function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number from 1 to 65535, not "${value}".`);
  return port;
}

/**
 * The port for `variable`. `width` ports from it on must be free (2 for the database and its
 * shadow); `reserved` are ports already chosen for something else in this process.
 */
export async function chooseDevPort(options: {
  variable: PortVariable;
  value: string | undefined;
  defaultPort: number;
  width?: number;
  reserved?: readonly number[];
}): Promise<ChosenPort> {
  const { variable, defaultPort, width = 1, reserved = [] } = options;
  const isFree = async (port: number) => {
    for (let offset = 0; offset < width; offset += 1) {
      if (reserved.includes(port + offset) || (await isPortInUse(port + offset))) return false;
    }
    return true;
  };
  const span = width > 1 ? `${width} ports from ` : "";

  // An empty value in .env means unset, as it does for the server's variables.
  if (options.value) {
    const port = parsePort(options.value, variable);
    if (await isFree(port)) return { port, movedFrom: null };
    throw new Error(`${variable}=${port}: ${span}port ${port} is in use. Stop what is using it, or set ${variable} to a free port (in .env or the shell).`);
  }
  for (let port = defaultPort; port < defaultPort + PORT_SEARCH_SPAN; port += width) {
    if (await isFree(port)) return { port, movedFrom: port === defaultPort ? null : defaultPort };
  }
  throw new Error(`Ports ${defaultPort} to ${defaultPort + PORT_SEARCH_SPAN - 1} are all in use. Set ${variable} to a free port (in .env or the shell).`);
}

/** One log line for a port that moved, else null. */
export function describeMovedPort(variable: PortVariable, chosen: ChosenPort): string | null {
  return chosen.movedFrom === null
    ? null
    : `Port ${chosen.movedFrom} is taken, so ${variable} is ${chosen.port} this time (set ${variable} to fix it).`;
}
