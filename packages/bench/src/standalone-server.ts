// The "before" variant of `pnpm bench`: the API behind tRPC's standalone Node adapter
// (`createHTTPHandler`), as the HTTP edge served it until issue 13 moved to the fetch adapter on
// @hono/node-server (docs/decisions/018-fetch-adapter-edge.md). Kept here only as the reference
// the new edge is measured against: same router, context factory, security headers, no-store and
// CSRF check; the session lookup is today's.
import { createServer, type Server } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createPasswordHasher } from "../../../apps/server/src/auth/password-hasher.ts";
import { createRateLimiter } from "../../../apps/server/src/auth/rate-limit.ts";
import { createContextFactory } from "../../../apps/server/src/context.ts";
import { createDatabase } from "../../../apps/server/src/db.ts";
import type { Config } from "../../../apps/server/src/env.ts";
import { checkRequestCsrf, MAX_BODY_BYTES, SECURITY_HEADERS } from "../../../apps/server/src/http-server.ts";
import { appRouter } from "../../../apps/server/src/routers/_app.ts";

export function createStandaloneAdapterServer(config: Config): Server {
  const db = createDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax, namedStatements: config.databaseNamedStatements });
  const rateLimiter = createRateLimiter(config.rateLimit.policy, { type: "memory" });
  const handler = createHTTPHandler({
    router: appRouter,
    createContext: createContextFactory({ db, config, rateLimiter, passwordHasher: createPasswordHasher(config.passwordHashing) }),
    basePath: "/trpc/",
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: config.trpcMaxBatchSize,
  });
  const securityHeaders = Object.entries(SECURITY_HEADERS);
  return createServer((req, res) => {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    res.setHeader("Cache-Control", "no-store");
    const verdict = checkRequestCsrf(req, config);
    if (!verdict.ok) {
      res.writeHead(verdict.status).end();
      return;
    }
    void handler(req, res);
  });
}
