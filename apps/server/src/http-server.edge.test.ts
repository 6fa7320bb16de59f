// The HTTP edge against request shapes no client library sends (raw bytes on a socket): malformed
// percent-encoding gets 400, methods the edge does not serve 405 with Allow (CONNECT included), a
// static file that fails to read ends that response only, and each refusal logs one line.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendRawRequest, useTestServer } from "../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase } from "../../../tests/setup/server.ts";

const dist = mkdtempSync(path.join(tmpdir(), "latchkey-edge-"));
mkdirSync(path.join(dist, "assets"));
writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>latchkey</title>");
// Opens like a file and fails on the first read (EIO): a disk error in the middle of serving.
symlinkSync("/proc/self/mem", path.join(dist, "assets", "unreadable.js"));

const server = useTestServer({ db: createTestDatabase(), config: createTestConfig({ WEB_DIST_DIR: dist }) });
afterEach(() => {
  vi.restoreAllMocks();
});

const get = (target: string) => sendRawRequest(server.url, { method: "GET", target });

describe("request shapes the edge does not serve", () => {
  it("answers malformed percent-encoding with 400, on pages and on the API, and logs one line", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const target of ["/%", "/%E0%A4%A", "/assets/%C0%AF", "/trpc/auth.me%E0?batch=1"]) {
      expect((await get(target)).status, target).toBe(400);
    }
    expect(warn).toHaveBeenCalledTimes(4);
    for (const [line] of warn.mock.calls) expect(String(line)).not.toContain("\n");
    expect(error).not.toHaveBeenCalled();
  });

  it("answers TRACE, TRACK, PROPFIND, OPTIONS and CONNECT with 405 and Allow", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const method of ["TRACE", "TRACK", "PROPFIND", "OPTIONS", "DELETE"]) {
      const api = await sendRawRequest(server.url, { method, target: "/trpc/auth.me" });
      expect(api.status, method).toBe(405);
      expect(api.head).toMatch(/\r\nAllow: GET, POST\r\n/i);
      const page = await sendRawRequest(server.url, { method, target: "/" });
      expect(page.status, method).toBe(405);
      expect(page.head).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
    }
    const tunnel = await sendRawRequest(server.url, { method: "CONNECT", target: "example.com:443" });
    expect(tunnel.status).toBe(405);
    expect(tunnel.head).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
  });

  it("a static file that fails to read gets 500 for that request only, logged in one line; the server goes on", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await get("/assets/unreadable.js")).status).toBe(500);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/^static file "\/assets\/unreadable.js" failed: .*EIO/);
    expect(error.mock.calls[0]).toHaveLength(1);
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/assets/gone.js")).status).toBe(404);
  });
});
