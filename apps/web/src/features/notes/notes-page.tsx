// The example feature's page: the signed-in user's notes, newest first, with create, edit and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { EmptyState, ListSkeleton, LoadError } from "../../components/message.tsx";
import { useToast } from "../../components/toast.tsx";
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
          <ListSkeleton label="notes" />
        ) : notes.isError ? (
          <LoadError error={notes.error} onRetry={() => void notes.refetch()} />
        ) : notes.data.length === 0 ? (
          <EmptyState title="No notes yet">Write your first one above. Only you can see your notes.</EmptyState>
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
  const showToast = useToast();
  const create = useMutation(
    trpc.note.create.mutationOptions({
      onSuccess: () => {
        showToast("Note created.");
        return queryClient.invalidateQueries(trpc.note.list.queryFilter());
      },
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
