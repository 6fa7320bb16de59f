import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env.ts";

const valid = { DATABASE_URL: "postgresql://localhost/latchkey" };

describe("loadConfig", () => {
  it("applies documented defaults", () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      appOrigin: "http://localhost:5173",
      secureCookies: false,
      session: { idleTimeoutMs: 7 * 86_400_000, absoluteLifetimeMs: 30 * 86_400_000, renewalIntervalMs: 3_600_000 },
    });
    expect([...config.allowedOrigins]).toEqual(["http://localhost:5173"]);
  });

  it("turns on Secure cookies for an https origin and adds trusted origins", () => {
    const config = loadConfig({ ...valid, APP_ORIGIN: "https://app.example.com/", TRUSTED_ORIGINS: "https://admin.example.com" });
    expect(config.secureCookies).toBe(true);
    expect([...config.allowedOrigins]).toEqual(["https://app.example.com", "https://admin.example.com"]);
  });

  it("lists every bad variable at once", () => {
    try {
      loadConfig({ DATABASE_URL: "mysql://x", PORT: "eighty", APP_ORIGIN: "ftp://x", SESSION_IDLE_TIMEOUT_MINUTES: "0" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of ["DATABASE_URL", "PORT", "APP_ORIGIN", "SESSION_IDLE_TIMEOUT_MINUTES"]) expect(problems).toContain(name);
      expect(problems).toContain("PORT must be a whole number from 0 to 65535");
    }
  });

  it("says when DATABASE_URL is missing", () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL is required/);
  });

  it("rejects inconsistent session timeouts", () => {
    expect(() => loadConfig({ ...valid, SESSION_IDLE_TIMEOUT_MINUTES: "100", SESSION_ABSOLUTE_LIFETIME_MINUTES: "50" })).toThrow(
      /must not exceed/,
    );
  });
});
