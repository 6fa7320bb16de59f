// Variant 2 of `pnpm bench`: a tRPC publicProcedure served by the app's own HTTP edge, context
// factory and tRPC builders, returning a copy of auth.me's data. The difference between this and
// auth.me on the real server is what the session costs.
import type { Server } from "node:http";
import { createDatabase } from "../../../apps/server/src/db.ts";
import type { Config } from "../../../apps/server/src/env.ts";
import { createHttpServer } from "../../../apps/server/src/http-server.ts";
import { publicProcedure, router } from "../../../apps/server/src/trpc.ts";

/** `adapter`: "lean" as the API serves, or "fetch" for every call through tRPC's fetch adapter (variant 9). */
export function createPublicProcedureServer(config: Config, me: unknown, adapter: "lean" | "fetch"): Server {
  // The context factory takes a database; requests here carry no credential, so it is never queried.
  const db = createDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax });
  const benchRouter = router({ auth: router({ me: publicProcedure.query(() => me) }) });
  return createHttpServer({ db, config, router: benchRouter, trpcAdapter: adapter });
}
