// The benchmark's reference servers, each started in its own process by `pnpm bench` and answering
// GET /trpc/auth.me with the same JSON as the real server:
//   ceiling      bare node:http: the most this machine's HTTP stack serves;
//   public       the real tRPC stack (the app's builders, context factory and HTTP edge) with a
//                publicProcedure: everything the API does except the session;
//   handwritten  a competent hand-rolled Lucia-style check behind bare node:http: one pg query
//                (session joined with user, by id), SHA-256 and a constant-time compare, with a
//                pg Pool as large as the app's;
//   standalone   the API behind tRPC's standalone Node adapter, the edge before issue 13;
//   publicFetch  `public` with every call through tRPC's fetch adapter on @hono/node-server, the
//                edge before the lean adapter (docs/decisions/027-lean-trpc-adapter.md).
// Configured by the server's own environment plus BENCH_VARIANT and BENCH_ME_BODY (the body to copy).
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { loadConfig, type Config } from "../../../apps/server/src/env.ts";
import { createPublicProcedureServer } from "./public-server.ts";
import { createStandaloneAdapterServer } from "./standalone-server.ts";

const variant = process.env.BENCH_VARIANT;
const meBody = JSON.parse(process.env.BENCH_ME_BODY ?? "null") as { result: { data: unknown } } | null;
if (!meBody) throw new Error("BENCH_ME_BODY must hold an auth.me response");
const config = loadConfig(process.env);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

function createCeilingServer() {
  return createServer((_req, res) => sendJson(res, 200, meBody));
}

// What the token format guarantees: a 24-character id, a dot, a 52-character secret.
const TOKEN_ID_LENGTH = 24;
const TOKEN_LENGTH = 77;
const BEARER_PREFIX = "Bearer ";
const UNAUTHORIZED = { error: { message: "Sign in to continue." } };

function createHandwrittenServer(settings: Config) {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.databasePoolMax });
  const policy = settings.session;
  // A named statement is parsed once per connection. Times come back as epoch milliseconds, so
  // no date parsing is needed and the timestamp columns' missing time zone cannot mislead.
  const findSession = {
    name: "bench-find-session",
    text: `SELECT s."userId", s."kind", s."secretHash", u."email", u."name",
                  (extract(epoch FROM s."lastActiveAt") * 1000)::float8 AS "lastActiveMs",
                  (extract(epoch FROM s."expiresAt") * 1000)::float8 AS "expiresMs"
             FROM "Session" s JOIN "User" u ON u."id" = s."userId"
            WHERE s."id" = $1`,
  };

  async function validate(req: IncomingMessage) {
    const header = req.headers.authorization;
    if (!header?.startsWith(BEARER_PREFIX)) return null;
    const token = header.slice(BEARER_PREFIX.length);
    if (token.length !== TOKEN_LENGTH || token[TOKEN_ID_LENGTH] !== ".") return null;
    const id = token.slice(0, TOKEN_ID_LENGTH);
    const { rows } = await pool.query({ ...findSession, values: [id] });
    const row = rows[0];
    if (!row) return null;
    const secretHash = createHash("sha256").update(token.slice(TOKEN_ID_LENGTH + 1)).digest();
    if (!timingSafeEqual(secretHash, row.secretHash)) return null;
    const now = Date.now();
    if (now >= row.expiresMs || now >= row.lastActiveMs + policy.idleTimeoutMs) {
      await pool.query('DELETE FROM "Session" WHERE "id" = $1', [id]);
      return null;
    }
    if (now - row.lastActiveMs >= policy.renewalIntervalMs) {
      await pool.query('UPDATE "Session" SET "lastActiveAt" = $2 WHERE "id" = $1', [id, new Date(now)]);
    }
    return {
      user: { id: row.userId, email: row.email, name: row.name },
      session: { id, kind: row.kind, expiresAt: new Date(row.expiresMs).toISOString() },
    };
  }

  return createServer((req, res) => {
    validate(req).then(
      (me) => (me ? sendJson(res, 200, { result: { data: me } }) : sendJson(res, 401, UNAUTHORIZED)),
      (error: unknown) => {
        console.error("validation failed:", error);
        sendJson(res, 500, { error: { message: "Internal error" } });
      },
    );
  });
}

const server =
  variant === "ceiling"
    ? createCeilingServer()
    : variant === "handwritten"
      ? createHandwrittenServer(config)
      : variant === "public" || variant === "publicFetch"
        ? createPublicProcedureServer(config, meBody.result.data, variant === "publicFetch" ? "fetch" : "lean")
        : variant === "standalone"
          ? createStandaloneAdapterServer(config)
          : null;
if (!server) throw new Error(`BENCH_VARIANT must be ceiling, public, publicFetch, handwritten or standalone, not ${variant}`);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`bench ${variant} server listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
