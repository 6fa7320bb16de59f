// One note in the list: read view with Edit / Delete (which asks once more before deleting), or the
// edit form in its place.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "@latchkey/server";
import { ErrorAlert } from "../../components/message.tsx";
import { Timestamp } from "../../components/timestamp.tsx";
import { useToast } from "../../components/toast.tsx";
import { getErrorMessage } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { NoteForm } from "./note-form.tsx";

type Note = RouterOutputs["note"]["list"][number];

export function NoteItem({ note }: { note: Note }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const showToast = useToast();
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const refreshList = () => queryClient.invalidateQueries(trpc.note.list.queryFilter());
  const update = useMutation(trpc.note.update.mutationOptions({ onSuccess: refreshList }));
  const remove = useMutation(
    trpc.note.delete.mutationOptions({
      onSuccess: () => {
        showToast(`Deleted "${note.title}".`);
        return refreshList();
      },
    }),
  );

  if (editing) {
    return (
      <li className="card">
        <NoteForm
          label={`Edit ${note.title}`}
          submitLabel="Save"
          pendingLabel="Saving…"
          isPending={update.isPending}
          error={update.error}
          initial={note}
          onSubmit={(fields) =>
            update.mutate(
              { id: note.id, ...fields },
              {
                onSuccess: () => {
                  setEditing(false);
                  showToast("Note saved.");
                },
              },
            )
          }
          onCancel={() => {
            update.reset();
            setEditing(false);
          }}
        />
      </li>
    );
  }
  return (
    <li className="card">
      <article aria-label={note.title}>
        <h3 className="note-title">{note.title}</h3>
        {note.body && <p className="note-body">{note.body}</p>}
        <p className="muted small">
          Updated <Timestamp value={note.updatedAt} />
        </p>
        <ErrorAlert message={getErrorMessage(remove.error)} />
        {confirmingDelete ? (
          <div className="actions confirm" role="group" aria-label="Delete this note?">
            <span>Delete this note? This cannot be undone.</span>
            <button type="button" className="button-danger" onClick={() => remove.mutate({ id: note.id })} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirmingDelete(false)} disabled={remove.isPending}>
              Keep
            </button>
          </div>
        ) : (
          <div className="actions">
            <button type="button" className="button-secondary" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" className="button-danger" onClick={() => setConfirmingDelete(true)}>
              Delete
            </button>
          </div>
        )}
      </article>
    </li>
  );
}
