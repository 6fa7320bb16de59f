// A new-password input (sign-up, password change) with a strength hint that updates as the user
// types; the common-password list behind it loads when the field is first used.
import { useEffect, useState } from "react";
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
      hint={strength ? { text: strength.message, level: strength.level } : undefined}
    />
  );
}
