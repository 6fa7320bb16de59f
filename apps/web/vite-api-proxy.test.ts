// @vitest-environment node
// The dev proxy against a real Vite dev server (this app's config) and a real API stand-in.
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getFreePort } from "../../tests/setup/http.ts";
import { waitForApi } from "./vite-api-proxy.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

async function startVite(apiPort: number): Promise<{ url: string; vite: ViteDevServer; errors: string[] }> {
  vi.stubEnv("API_PORT", String(apiPort));
  vi.stubEnv("WEB_PORT", String(await getFreePort()));
  const errors: string[] = [];
  const vite = await createServer({
    configFile: path.join(import.meta.dirname, "vite.config.ts"),
    root: import.meta.dirname,
    logLevel: "silent",
    customLogger: { ...console, error: (message: string) => errors.push(message), warn: () => {}, info: () => {}, warnOnce: () => {}, clearScreen: () => {}, hasErrorLogged: () => false, hasWarned: false },
  });
  await vite.listen();
  cleanups.push(() => vite.close());
  const { port } = vite.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, vite, errors };
}

function startApi(port: number): Promise<Server> {
  const api = createHttpServer((req, res) => res.end(JSON.stringify({ url: req.url })));
  cleanups.push(() => new Promise((resolve) => api.close(resolve)));
  return new Promise((resolve) => api.listen(port, "127.0.0.1", () => resolve(api)));
}

describe("the dev proxy to the API", () => {
  it("holds requests that arrive before the API listens, then passes them on, logging nothing", async () => {
    const apiPort = await getFreePort();
    const { url, errors } = await startVite(apiPort);
    const early = Promise.all([fetch(`${url}/trpc/auth.me`), fetch(`${url}/.well-known/jwks.json`)]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await startApi(apiPort);
    const responses = await early;
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(await responses[0]!.json()).toEqual({ url: "/trpc/auth.me" });
    expect(errors).toEqual([]);
  });

  it("answers 503 with Retry-After, quietly, when the API does not come up in time", async () => {
    const deadPort = await getFreePort();
    const edge = createHttpServer((req, res) => void waitForApi(deadPort, req, res, 300));
    cleanups.push(() => new Promise((resolve) => edge.close(resolve)));
    await new Promise<void>((resolve) => edge.listen(0, "127.0.0.1", resolve));
    const response = await fetch(`http://127.0.0.1:${(edge.address() as AddressInfo).port}/trpc/auth.me`);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.text()).toContain(`The API is not listening on port ${deadPort} yet`);
  });
});
