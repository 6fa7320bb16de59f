// Roles: `user`, or `admin` for the administration procedures (trpc.ts: adminProcedure).
import type { DatabaseClient } from "../db.ts";
import type { Role } from "../generated/prisma/enums.ts";

/** The user's role as stored now, or null for a user that no longer exists. */
export async function getUserRole(db: DatabaseClient, userId: string): Promise<Role | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { role: true } });
  return user?.role ?? null;
}
