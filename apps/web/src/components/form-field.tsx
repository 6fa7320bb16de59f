// A labelled input or textarea with the server's message for it underneath, linked for screen
// readers through aria-describedby.
import { useId } from "react";

interface FormFieldProps {
  label: string;
  name: string;
  error?: string | undefined;
  type?: "text" | "email" | "password" | "number";
  multiline?: boolean;
  autoComplete?: string;
  defaultValue?: string;
  required?: boolean;
  autoFocus?: boolean;
}

export function FormField({ label, name, error, type = "text", multiline = false, ...inputProps }: FormFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const controlProps = {
    id,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : undefined,
    ...inputProps,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={5} {...controlProps} /> : <input type={type} {...controlProps} />}
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
