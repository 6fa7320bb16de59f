// A password input with a show/hide toggle (people mistype what they cannot see). The toggle is a
// button after the input, its state announced through aria-pressed; the input keeps its id, name and
// autocomplete, so labels and password managers work as before. Every password FormField uses it.
import { useState, type InputHTMLAttributes, type Ref } from "react";

type PasswordInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { ref?: Ref<HTMLInputElement> | undefined };

export function PasswordInput({ ref, ...props }: PasswordInputProps) {
  const [visible, setVisible] = useState(false);
  return (
    <div className="password-input">
      <input {...props} ref={ref} type={visible ? "text" : "password"} autoCapitalize="off" autoCorrect="off" spellCheck={false} />
      <button
        type="button"
        className="button-secondary password-toggle"
        aria-pressed={visible}
        aria-controls={props.id}
        onClick={() => setVisible((shown) => !shown)}
      >
        {visible ? "Hide" : "Show"}
      </button>
    </div>
  );
}
