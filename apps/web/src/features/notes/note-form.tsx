// The title-and-body form, shared by "new note" and editing a note in place.
import type { FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";

export interface NoteFields {
  title: string;
  body: string;
}

interface NoteFormProps {
  label: string;
  submitLabel: string;
  pendingLabel: string;
  isPending: boolean;
  error: unknown;
  initial?: NoteFields;
  onSubmit: (fields: NoteFields, form: HTMLFormElement) => void;
  onCancel?: () => void;
}

export function NoteForm({ label, submitLabel, pendingLabel, isPending, error, initial, onSubmit, onCancel }: NoteFormProps) {
  const fieldErrors = getFieldErrors(error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit(readFormText(event.currentTarget, ["title", "body"]), event.currentTarget);
  }

  return (
    <form aria-label={label} className="note-form" onSubmit={handleSubmit} noValidate>
      <ErrorAlert message={getErrorMessage(error)} />
      <FormField label="Title" name="title" required defaultValue={initial?.title} error={fieldErrors.title} />
      <FormField label="Body" name="body" multiline defaultValue={initial?.body} error={fieldErrors.body} />
      <div className="actions">
        <button type="submit" disabled={isPending}>
          {isPending ? pendingLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button-secondary" onClick={onCancel} disabled={isPending}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
