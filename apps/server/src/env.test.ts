import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateEncryptionKey } from "./auth/encryption.ts";
import { generateJwtPrivateKey, parseJwtPrivateKey, toJsonWebKey } from "./auth/signing-key.ts";
import { ConfigError, loadConfig } from "./env.ts";

const valid = {
  DATABASE_URL: "postgresql://localhost/latchkey",
  JWT_PRIVATE_KEY: generateJwtPrivateKey(),
  ENCRYPTION_KEY: generateEncryptionKey(),
};

function problemsOf(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join("\n");
    throw error;
  }
  return expect.unreachable("the configuration was accepted");
}

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

  it("names the session lookup's statement unless DATABASE_NAMED_STATEMENTS=false (PgBouncer)", () => {
    expect(loadConfig(valid).databaseNamedStatements).toBe(true);
    expect(loadConfig({ ...valid, DATABASE_NAMED_STATEMENTS: "false" }).databaseNamedStatements).toBe(false);
    expect(problemsOf({ ...valid, DATABASE_NAMED_STATEMENTS: "no" })).toBe("DATABASE_NAMED_STATEMENTS must be true or false");
  });

  it("caches sessions for 5 seconds, 10,000 at most, unless SESSION_CACHE=off", () => {
    expect(loadConfig(valid).sessionCache).toEqual({ ttlMs: 5_000, maxEntries: 10_000 });
    expect(loadConfig({ ...valid, SESSION_CACHE_TTL_SECONDS: "2", SESSION_CACHE_MAX_ENTRIES: "50" }).sessionCache).toEqual({ ttlMs: 2_000, maxEntries: 50 });
    expect(loadConfig({ ...valid, SESSION_CACHE: "off" }).sessionCache).toBeNull();
    expect(problemsOf({ ...valid, SESSION_CACHE: "yes", SESSION_CACHE_TTL_SECONDS: "3600" })).toBe(
      "SESSION_CACHE must be on or off\nSESSION_CACHE_TTL_SECONDS must be a whole number from 1 to 60",
    );
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

describe("loadConfig: HTTPS", () => {
  it("serves HTTPS with TLS_CERT_FILE and TLS_KEY_FILE together, for an https APP_ORIGIN only", () => {
    expect(loadConfig(valid).tls).toBeNull();
    const tls = { TLS_CERT_FILE: ".data/tls/cert.pem", TLS_KEY_FILE: ".data/tls/key.pem" };
    expect(loadConfig({ ...valid, ...tls, APP_ORIGIN: "https://localhost:3000" }).tls).toEqual({
      certFile: ".data/tls/cert.pem",
      keyFile: ".data/tls/key.pem",
    });
    expect(problemsOf({ ...valid, TLS_CERT_FILE: tls.TLS_CERT_FILE, APP_ORIGIN: "https://localhost:3000" })).toContain(
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together",
    );
    expect(problemsOf({ ...valid, ...tls })).toContain("APP_ORIGIN must be an https:// origin when the API serves HTTPS");
  });
});

describe("loadConfig: access tokens", () => {
  it("defaults the issuer to APP_ORIGIN, the audience to latchkey-api and the lifetime to 5 minutes", () => {
    const { accessToken } = loadConfig({ ...valid, APP_ORIGIN: "https://app.example.com/" });
    expect(accessToken).toMatchObject({ issuer: "https://app.example.com", audience: "latchkey-api", lifetimeSeconds: 300 });
    expect(accessToken.verificationKeys.map((key) => key.kid)).toEqual([accessToken.signingKey.kid]);
  });

  it("refuses to start without JWT_PRIVATE_KEY and says how to make one", () => {
    expect(problemsOf({ DATABASE_URL: valid.DATABASE_URL })).toMatch(/JWT_PRIVATE_KEY is required: .*pnpm env:init/);
  });

  it("lists a key that is not Ed25519 or not a key at all, together with the other problems", () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" });
    expect(problemsOf({ ...valid, JWT_PRIVATE_KEY: p256.toString("base64url") })).toMatch(/JWT_PRIVATE_KEY must be an Ed25519 private key/);
    const problems = problemsOf({ ...valid, JWT_PRIVATE_KEY: "not a key", PORT: "eighty" });
    expect(problems).toMatch(/JWT_PRIVATE_KEY must be an Ed25519 private key/);
    expect(problems).toMatch(/PORT must be/);
  });

  it("accepts the key in standard base64 too, as openssl and base64 print it", () => {
    const der = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
    const fromBase64 = loadConfig({ ...valid, JWT_PRIVATE_KEY: der.toString("base64") });
    expect(fromBase64.accessToken.signingKey.kid).toBe(parseJwtPrivateKey(der.toString("base64url"))!.kid);
  });

  it("keeps the lifetime between 10 seconds and 5 minutes", () => {
    expect(loadConfig({ ...valid, ACCESS_TOKEN_TTL_SECONDS: "60" }).accessToken.lifetimeSeconds).toBe(60);
    expect(problemsOf({ ...valid, ACCESS_TOKEN_TTL_SECONDS: "301" })).toContain("ACCESS_TOKEN_TTL_SECONDS must be a whole number from 10 to 300");
    expect(problemsOf({ ...valid, ACCESS_TOKEN_TTL_SECONDS: "5" })).toContain("ACCESS_TOKEN_TTL_SECONDS");
  });

  it("publishes and accepts JWT_EXTRA_PUBLIC_KEYS after the signing key, once each, and lists bad entries", () => {
    const current = parseJwtPrivateKey(valid.JWT_PRIVATE_KEY)!;
    const previous = parseJwtPrivateKey(generateJwtPrivateKey())!;
    const config = loadConfig({ ...valid, JWT_EXTRA_PUBLIC_KEYS: ` ${toJsonWebKey(previous).x} , ${toJsonWebKey(current).x}` });
    expect(config.accessToken.verificationKeys.map((key) => key.kid)).toEqual([current.kid, previous.kid]);
    expect(problemsOf({ ...valid, JWT_EXTRA_PUBLIC_KEYS: `${toJsonWebKey(previous).x},abc` })).toContain(
      'JWT_EXTRA_PUBLIC_KEYS entry "abc" must be',
    );
  });
});

describe("loadConfig: encryption key and WebAuthn relying party", () => {
  it("refuses to start without ENCRYPTION_KEY, says how to make one, and refuses a key of the wrong size", () => {
    expect(problemsOf({ DATABASE_URL: valid.DATABASE_URL, JWT_PRIVATE_KEY: valid.JWT_PRIVATE_KEY })).toMatch(/ENCRYPTION_KEY is required: .*pnpm env:init/);
    expect(problemsOf({ ...valid, ENCRYPTION_KEY: Buffer.alloc(16).toString("base64url") })).toMatch(/ENCRYPTION_KEY must be 32 bytes/);
    expect(problemsOf({ ...valid, ENCRYPTION_PREVIOUS_KEYS: `${generateEncryptionKey()},nope` })).toMatch(/ENCRYPTION_PREVIOUS_KEYS entry 2 must be 32 bytes/);
  });

  it("keeps previous keys for decryption, and derives the RP ID and the one allowed origin from APP_ORIGIN", () => {
    const previous = generateEncryptionKey();
    const config = loadConfig({ ...valid, ENCRYPTION_PREVIOUS_KEYS: previous, APP_ORIGIN: "https://app.example.com:8443/x" });
    expect(config.encryptionKeys.previous).toHaveLength(1);
    expect(config.encryptionKeys.current.secret.toString("base64url")).toBe(valid.ENCRYPTION_KEY);
    expect(config.webAuthn).toEqual({ rpId: "app.example.com", origins: ["https://app.example.com:8443"] });
  });
});

describe("loadConfig: rate limits, proxies and sudo mode", () => {
  it("defaults to memory counters, no trusted proxy, a 10-minute re-authentication window and NIST's 100", () => {
    const config = loadConfig(valid);
    expect(config.rateLimit).toEqual({
      store: "memory",
      redisUrl: null,
      keyPrefix: "latchkey",
      policy: {
        passwordFailuresPerAccountAndIp: 10,
        passwordFailuresPerAccount: 100,
        passwordFailuresPerIp: 100,
        passwordBlockSeconds: 15 * 60,
        signUpsPerIpPerHour: 10,
        accessTokensPerSessionPerMinute: 10,
        secondFactorFailuresPerAccount: 5,
        mailPerAddressPerHour: 5,
        mailPerIpPerHour: 30,
      },
    });
    expect(config.trustedProxyHops).toBe(0);
    expect(config.reauthenticationWindowMs).toBe(10 * 60_000);
  });

  it("uses Redis when REDIS_URL is set, and refuses RATE_LIMIT_STORE=redis without it", () => {
    expect(loadConfig({ ...valid, REDIS_URL: "redis://127.0.0.1:6379" }).rateLimit.store).toBe("redis");
    expect(loadConfig({ ...valid, REDIS_URL: "redis://127.0.0.1:6379", RATE_LIMIT_STORE: "postgres" }).rateLimit.store).toBe("postgres");
    expect(problemsOf({ ...valid, RATE_LIMIT_STORE: "redis" })).toContain("RATE_LIMIT_STORE=redis needs REDIS_URL");
    const problems = problemsOf({ ...valid, RATE_LIMIT_STORE: "mongo", REDIS_URL: "http://x", TRUST_PROXY: "yes" });
    for (const name of ["RATE_LIMIT_STORE", "REDIS_URL", "TRUST_PROXY"]) expect(problems).toContain(name);
  });
});

describe("OAuth providers", () => {
  it("turns a provider on when its whole block is set, and defaults to no auto-linking", () => {
    expect(loadConfig(valid).oauth).toEqual({ autoLink: "never", github: null, google: null, oidc: null });
    const config = loadConfig({
      ...valid,
      GITHUB_CLIENT_ID: "gh-id",
      GITHUB_CLIENT_SECRET: "gh-secret",
      GOOGLE_CLIENT_ID: "",
      GOOGLE_CLIENT_SECRET: "",
      OIDC_ISSUER: "https://id.example.com/realms/main",
      OIDC_CLIENT_ID: "oidc-id",
      OIDC_CLIENT_SECRET: "oidc-secret",
      OAUTH_AUTO_LINK: "verified-email",
    });
    expect(config.oauth).toEqual({
      autoLink: "verified-email",
      github: { clientId: "gh-id", clientSecret: "gh-secret" },
      google: null,
      oidc: { issuer: "https://id.example.com/realms/main", clientId: "oidc-id", clientSecret: "oidc-secret", name: "OpenID Connect" },
    });
  });

  it("refuses half a provider block and a plain-HTTP issuer off loopback", () => {
    const problems = problemsOf({
      ...valid,
      GITHUB_CLIENT_ID: "gh-id",
      OIDC_ISSUER: "http://id.example.com",
      OIDC_CLIENT_ID: "oidc-id",
      OIDC_CLIENT_SECRET: "oidc-secret",
    });
    expect(problems).toContain("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together");
    expect(problems).toContain("OIDC_ISSUER must be https:// (plain http only on loopback, for local development)");
    expect(problemsOf({ ...valid, OAUTH_AUTO_LINK: "always" })).toBe("OAUTH_AUTO_LINK must be never or verified-email");
    expect(problemsOf({ ...valid, OIDC_ISSUER: "https://id.example.com" })).toContain("OIDC_ISSUER must be set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET");
    expect(loadConfig({ ...valid, OIDC_ISSUER: "http://127.0.0.1:3001", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" }).oauth.oidc?.issuer).toBe(
      "http://127.0.0.1:3001",
    );
  });
});

describe("loadConfig: mail", () => {
  it("defaults to required verification and no SMTP server outside production", () => {
    expect(loadConfig(valid).email).toEqual({ verification: "required", smtpUrl: null, from: "latchkey <no-reply@localhost>", outboxPollMs: 1_000 });
    expect(loadConfig({ ...valid, EMAIL_VERIFICATION: "optional", SMTP_URL: "smtps://u:p@mail.example.com:465" }).email).toMatchObject({
      verification: "optional",
      smtpUrl: "smtps://u:p@mail.example.com:465",
    });
  });

  it("refuses to start in production without SMTP_URL, and says why", () => {
    expect(problemsOf({ ...valid, NODE_ENV: "production" })).toContain(
      "SMTP_URL is required in production: sign-up verification, password reset and email change send mail",
    );
    expect(loadConfig({ ...valid, NODE_ENV: "production", SMTP_URL: "smtp://mail.internal:25" }).email.smtpUrl).toBe("smtp://mail.internal:25");
  });

  it("polls the outbox every MAIL_OUTBOX_POLL_SECONDS, between 1 s and an hour", () => {
    expect(loadConfig({ ...valid, MAIL_OUTBOX_POLL_SECONDS: "30" }).email.outboxPollMs).toBe(30_000);
    for (const bad of ["0", "3601", "1.5"]) expect(problemsOf({ ...valid, MAIL_OUTBOX_POLL_SECONDS: bad })).toMatch(/^MAIL_OUTBOX_POLL_SECONDS /m);
  });

  it("holds answers that must not reveal an account for 500 ms, and at least 200 ms in production", () => {
    expect(loadConfig(valid).uniformResponseMs).toBe(500);
    expect(loadConfig({ ...valid, UNIFORM_RESPONSE_MS: "0" }).uniformResponseMs).toBe(0);
    const production = { ...valid, NODE_ENV: "production", SMTP_URL: "smtp://mail.internal:25" };
    expect(problemsOf({ ...production, UNIFORM_RESPONSE_MS: "199" })).toBe(
      "UNIFORM_RESPONSE_MS must be at least 200 in production: below an argon2 hash, answer times tell which addresses have accounts",
    );
    expect(loadConfig({ ...production, UNIFORM_RESPONSE_MS: "800" }).uniformResponseMs).toBe(800);
    for (const bad of ["-1", "10001", "0.5"]) expect(problemsOf({ ...valid, UNIFORM_RESPONSE_MS: bad })).toMatch(/^UNIFORM_RESPONSE_MS /m);
  });

  it("refuses an unknown verification mode and a non-SMTP URL", () => {
    const problems = problemsOf({ ...valid, EMAIL_VERIFICATION: "sometimes", SMTP_URL: "http://mail.example.com" });
    expect(problems).toContain("EMAIL_VERIFICATION must be required, optional or off");
    expect(problems).toContain("SMTP_URL must be an smtp:// or smtps:// URL");
  });
});

describe("loadConfig: database time-outs and shutdown", () => {
  it("bounds every database wait by default and drains for 5 s only in production", () => {
    const development = loadConfig(valid);
    expect(development.databaseConnectTimeoutMs).toBe(5_000);
    expect(development.databaseStatementTimeoutMs).toBe(10_000);
    expect(development.shutdown).toEqual({ drainDelayMs: 0, timeoutMs: 20_000 });
    expect(loadConfig({ ...valid, NODE_ENV: "production", SMTP_URL: "smtp://mail.internal:25" }).shutdown.drainDelayMs).toBe(5_000);
    expect(loadConfig({ ...valid, NODE_ENV: "production", SMTP_URL: "smtp://mail.internal:25", SHUTDOWN_DRAIN_DELAY_MS: "0" }).shutdown.drainDelayMs).toBe(0);
  });

  it("refuses time-outs that are not whole milliseconds in range", () => {
    const problems = problemsOf({ ...valid, DATABASE_CONNECT_TIMEOUT_MS: "0", DATABASE_STATEMENT_TIMEOUT_MS: "soon", SHUTDOWN_DRAIN_DELAY_MS: "-1" });
    expect(problems).toContain("DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 100 to 60000");
    expect(problems).toContain("DATABASE_STATEMENT_TIMEOUT_MS must be a whole number from 100 to 600000");
    expect(problems).toContain("SHUTDOWN_DRAIN_DELAY_MS must be a whole number from 0 to 120000");
  });
});
