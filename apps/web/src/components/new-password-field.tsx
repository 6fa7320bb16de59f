// A new-password input (sign-up, password change) with a strength hint that updates as the user
// types; the common-password list behind it loads when the field is first used.
import { useEffect, useRef, useState } from "react";
import { loadCommonPasswords, ratePassword } from "../lib/password-strength.ts";
import { FormField } from "./form-field.tsx";

interface NewPasswordFieldProps {
  label: string;
  name: string;
  error?: string | undefined;
}

export function NewPasswordField({ label, name, error }: NewPasswordFieldProps) {
  const [password, setPassword] = useState("");
  const [common, setCommon] = useState<ReadonlySet<string> | null>(null);
  const touched = password !== "";
  const inputRef = useRef<HTMLInputElement>(null);

  // A form reset (after a successful change) empties the input without a change event.
  useEffect(() => {
    const form = inputRef.current?.form;
    if (!form) return;
    const clear = () => setPassword("");
    form.addEventListener("reset", clear);
    return () => form.removeEventListener("reset", clear);
  }, []);

  useEffect(() => {
    if (!touched || common) return;
    let current = true;
    loadCommonPasswords().then(
      (list) => current && setCommon(list),
      // Without the list the hint rates length only; the server still refuses common passwords.
      () => {},
    );
    return () => {
      current = false;
    };
  }, [touched, common]);

  const strength = ratePassword(password, common);
  return (
    <FormField
      label={label}
      name={name}
      type="password"
      autoComplete="new-password"
      required
      error={error}
      onValueChange={setPassword}
      inputRef={inputRef}
      hint={strength ? { text: strength.message, level: strength.level } : undefined}
    />
  );
}
