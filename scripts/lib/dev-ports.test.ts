import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { getFreePort } from "../../tests/setup/http.ts";
import { chooseDevPort, describeMovedPort } from "./dev-ports.ts";

const servers: Server[] = [];

/** Holds `port` (0: a free one), as another app's dev server would; resolves with the port. */
async function occupyPort(port = 0): Promise<number> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  } catch (error) {
    // Something else holds it already, which serves the test as well.
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") return port;
    throw error;
  }
  servers.push(server);
  return (server.address() as { port: number }).port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("chooseDevPort", () => {
  it("takes the default when it is free", async () => {
    const free = await getFreePort();
    expect(await chooseDevPort({ variable: "WEB_PORT", value: undefined, defaultPort: free })).toEqual({ port: free, movedFrom: null });
  });

  it("moves past a taken default to the next free port and says so", async () => {
    const taken = await occupyPort();
    const chosen = await chooseDevPort({ variable: "API_PORT", value: "", defaultPort: taken });
    expect(chosen.port).toBeGreaterThan(taken);
    expect(chosen.movedFrom).toBe(taken);
    expect(describeMovedPort("API_PORT", chosen)).toBe(`Port ${taken} is taken, so API_PORT is ${chosen.port} this time (set API_PORT to fix it).`);
  });

  it("needs the whole span free for the database and its shadow, and skips reserved ports", async () => {
    const base = await getFreePort();
    await occupyPort(base + 1);
    const chosen = await chooseDevPort({ variable: "DB_PORT", value: undefined, defaultPort: base, width: 2 });
    expect(chosen.port).toBeGreaterThanOrEqual(base + 2);
    const free = await getFreePort();
    expect((await chooseDevPort({ variable: "WEB_PORT", value: undefined, defaultPort: free, reserved: [free] })).port).not.toBe(free);
  });

  it("never moves a port set explicitly: a taken one stops with the variable's name", async () => {
    const taken = await occupyPort();
    await expect(chooseDevPort({ variable: "WEB_PORT", value: String(taken), defaultPort: 5173 })).rejects.toThrow(
      `WEB_PORT=${taken}: port ${taken} is in use. Stop what is using it, or set WEB_PORT to a free port (in .env or the shell).`,
    );
  });

  it("refuses a value that is not a port", async () => {
    for (const value of ["http", "0", "65536", "80.5", "-1"]) {
      await expect(chooseDevPort({ variable: "DB_PORT", value, defaultPort: 54329 })).rejects.toThrow(`DB_PORT must be a port number from 1 to 65535, not "${value}".`);
    }
  });
});
