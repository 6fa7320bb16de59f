// Demo data for development, run by `prisma db seed` (`pnpm db:seed`; `pnpm dev` on a database
// without users): the users in scripts/lib/demo-users.ts (one of them an admin), password
// `latchkey-demo-password`, three notes each. Only missing rows are inserted, so re-running duplicates nothing and never
// undoes what was changed through the app (a changed password or an edited note stays).
import { hashPassword } from "../apps/server/src/auth/password.ts";
import { createDatabase } from "../apps/server/src/db.ts";
import { requireConfig } from "../apps/server/src/env.ts";
import { DEMO_PASSWORD, DEMO_USERS, describeDemoUser } from "../scripts/lib/demo-users.ts";

const config = requireConfig(process.env);
// A known password on a public repository must never reach a real deployment.
if (config.nodeEnv === "production") {
  console.error("Refusing to seed demo users: NODE_ENV is production.");
  process.exit(1);
}

const db = createDatabase({ url: config.databaseUrl, poolMax: 2 });
try {
  // Demo users start with a verified email, so they sign in straight to the app.
  const emailVerifiedAt = new Date();
  const users = await Promise.all(
    DEMO_USERS.map(async ({ id, email, name, role }) => ({ id, email, name, role, emailVerifiedAt, passwordHash: await hashPassword(DEMO_PASSWORD) })),
  );
  const notes = DEMO_USERS.flatMap((user) => user.notes.map((note) => ({ ...note, ownerId: user.id })));
  // Insert-if-missing by fixed id (ON CONFLICT DO NOTHING): an upsert that updates nothing, with counts.
  const [createdUsers, createdNotes] = await db.$transaction([
    db.user.createMany({ data: users, skipDuplicates: true }),
    db.note.createMany({ data: notes, skipDuplicates: true }),
  ]);
  console.log(
    `Demo data: created ${createdUsers.count} of ${users.length} users and ${createdNotes.count} of ${notes.length} notes (rows that already existed are left as they were).`,
  );
  console.log(`Sign in as ${DEMO_USERS.map(describeDemoUser).join(" or ")} with password ${DEMO_PASSWORD}.`);
} finally {
  await db.$disconnect();
}
