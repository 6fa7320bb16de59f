// A labelled input or textarea with the server's message for it underneath (and an optional live
// hint), linked for screen readers through aria-describedby. Password fields get the show/hide
// toggle (password-input.tsx).
import { useId, type Ref } from "react";
import { PasswordInput } from "./password-input.tsx";

interface FormFieldProps {
  label: string;
  name: string;
  error?: string | undefined;
  type?: "text" | "email" | "password" | "number";
  inputMode?: "numeric";
  pattern?: string;
  maxLength?: number;
  multiline?: boolean;
  autoComplete?: string;
  defaultValue?: string;
  required?: boolean;
  autoFocus?: boolean;
  /** Called with the text on every change (the forms stay uncontrolled). */
  onValueChange?: (value: string) => void;
  /** The input element (not the textarea), e.g. to find its form. */
  inputRef?: Ref<HTMLInputElement>;
  /** Advice shown while typing, announced politely (e.g. password strength). */
  hint?: { text: string; level: string } | undefined;
}

export function FormField({ label, name, error, type = "text", multiline = false, onValueChange, hint, inputRef, ...inputProps }: FormFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  const controlProps = {
    id,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy || undefined,
    onChange: onValueChange ? (event: { currentTarget: { value: string } }) => onValueChange(event.currentTarget.value) : undefined,
    ...inputProps,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea rows={5} {...controlProps} />
      ) : type === "password" ? (
        <PasswordInput ref={inputRef} {...controlProps} />
      ) : (
        <input type={type} ref={inputRef} {...controlProps} />
      )}
      {/* A live field keeps its hint region in place, so screen readers announce each new hint. */}
      {onValueChange && (
        <p id={hintId} className="field-hint" data-level={hint?.level} aria-live="polite" hidden={!hint}>
          {hint?.text}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The submitted text of each named field (forms here are uncontrolled and read on submit). */
export function readFormText<const Name extends string>(form: HTMLFormElement, names: Name[]): Record<Name, string> {
  const data = new FormData(form);
  return Object.fromEntries(names.map((name) => [name, String(data.get(name) ?? "")])) as Record<Name, string>;
}
