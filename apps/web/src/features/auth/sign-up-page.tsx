// Sign-up answers "check your email" whether or not the address has an account (the server tells
// the owner of a registered one by mail), so the next step is always the verify page.
import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert } from "../../components/message.tsx";
import { NewPasswordField } from "../../components/new-password-field.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { Link, useNavigate } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { AuthPage, useNextParam } from "./auth-page.tsx";

export function SignUpPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const nextParam = useNextParam();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const fieldErrors = getFieldErrors(signUp.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const fields = readFormText(event.currentTarget, ["name", "email", "password"]);
    // The address goes along in history state (not the URL), so the code form can be filled in.
    signUp.mutate(fields, { onSuccess: () => void navigate("/verify-email", { state: { email: fields.email.trim() } }) });
  }

  return (
    <AuthPage
      title="Create your account"
      footer={
        <p>
          Already have an account? <Link to={`/sign-in${nextParam}`}>Sign in</Link>
        </p>
      }
    >
      <ErrorAlert message={getErrorMessage(signUp.error)} />
      <form aria-label="Sign up" onSubmit={handleSubmit} noValidate>
        <FormField label="Name" name="name" autoComplete="name" required error={fieldErrors.name} />
        <FormField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
        <NewPasswordField label="Password" name="password" error={fieldErrors.password} />
        <button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? "Signing up…" : "Sign up"}
        </button>
      </form>
    </AuthPage>
  );
}
