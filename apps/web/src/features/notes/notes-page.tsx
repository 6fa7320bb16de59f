// The example feature's page: the signed-in user's notes, newest first, with create, edit and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoadError, LoadingMessage } from "../../components/message.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { NoteForm } from "./note-form.tsx";
import { NoteItem } from "./note-item.tsx";

export function NotesPage() {
  const trpc = useTRPC();
  const notes = useQuery(trpc.note.list.queryOptions());

  return (
    <>
      <h1>Notes</h1>
      <section className="card" aria-labelledby="new-note-heading">
        <h2 id="new-note-heading">New note</h2>
        <NewNoteForm />
      </section>
      <section aria-labelledby="notes-heading">
        <h2 id="notes-heading">Your notes</h2>
        {notes.isPending ? (
          <LoadingMessage />
        ) : notes.isError ? (
          <LoadError error={notes.error} onRetry={() => void notes.refetch()} />
        ) : notes.data.length === 0 ? (
          <p className="muted">No notes yet. Write your first one above.</p>
        ) : (
          <ul className="list" aria-label="Notes">
            {notes.data.map((note) => (
              <NoteItem key={note.id} note={note} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function NewNoteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.note.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.note.list.queryFilter()),
    }),
  );
  return (
    <NoteForm
      label="New note"
      submitLabel="Create note"
      pendingLabel="Creating…"
      isPending={create.isPending}
      error={create.error}
      onSubmit={(fields, form) => create.mutate(fields, { onSuccess: () => form.reset() })}
    />
  );
}
