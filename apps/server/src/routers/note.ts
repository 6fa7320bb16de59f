// The example feature: notes owned by the signed-in user, on verifiedProcedure like every feature.
// Copy this shape for new features (`pnpm gen router <name>` will). Another user's note answers NOT_FOUND, never FORBIDDEN,
// so ids cannot be probed.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { verifiedProcedure, router } from "../trpc.ts";

const NOTE_SELECT = { id: true, title: true, body: true, createdAt: true, updatedAt: true } as const;

const noteId = z.object({ id: z.string().min(1).max(64) });
const noteFields = z.object({
  title: z.string().trim().min(1, "Give the note a title.").max(200),
  body: z.string().max(20_000).default(""),
});

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such note." });

export const noteRouter = router({
  list: verifiedProcedure.query(({ ctx }) =>
    ctx.db.note.findMany({ where: { ownerId: ctx.user.id }, select: NOTE_SELECT, orderBy: { updatedAt: "desc" } }),
  ),

  byId: verifiedProcedure.input(noteId).query(async ({ ctx, input }) => {
    const note = await ctx.db.note.findFirst({ where: { id: input.id, ownerId: ctx.user.id }, select: NOTE_SELECT });
    if (!note) throw notFound();
    return note;
  }),

  create: verifiedProcedure.input(noteFields).mutation(({ ctx, input }) =>
    ctx.db.note.create({ data: { ...input, ownerId: ctx.user.id }, select: NOTE_SELECT }),
  ),

  update: verifiedProcedure.input(noteId.extend(noteFields.shape)).mutation(async ({ ctx, input }) => {
    const { id, ...fields } = input;
    const { count } = await ctx.db.note.updateMany({ where: { id, ownerId: ctx.user.id }, data: fields });
    if (count === 0) throw notFound();
    return ctx.db.note.findUniqueOrThrow({ where: { id }, select: NOTE_SELECT });
  }),

  delete: verifiedProcedure.input(noteId).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.note.deleteMany({ where: { id: input.id, ownerId: ctx.user.id } });
    if (count === 0) throw notFound();
    return { deleted: input.id };
  }),
});
