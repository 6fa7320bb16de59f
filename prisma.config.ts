// Prisma CLI configuration (Prisma 7). The app itself reads DATABASE_URL in apps/server/src/env.ts.
// `pnpm prisma …` (scripts/prisma.ts) fills in the embedded database's URLs when DATABASE_URL is unset.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx prisma/seed.ts",
  },
  datasource: {
    // process.env rather than Prisma's env(): env() throws when a variable is unset, and
    // `prisma generate` must work without any database.
    url: process.env.DATABASE_URL ?? "",
    // Only `migrate dev` needs it; with PGlite it must be a second server (docs/decisions/001).
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
