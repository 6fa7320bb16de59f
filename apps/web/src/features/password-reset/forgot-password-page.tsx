// "Forgot password?": asks for the address and says the same whatever it is (the server mails a
// link only if it has an account), so the page cannot be used to find out who has one.
import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { CardPage } from "../../components/card-page.tsx";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { Link } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const request = useMutation(trpc.passwordReset.request.mutationOptions());
  const fieldErrors = getFieldErrors(request.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    request.mutate(readFormText(event.currentTarget, ["email"]));
  }

  return (
    <CardPage title="Reset your password" footer={<Link to="/sign-in">Back to sign in</Link>}>
      {request.isSuccess ? (
        <Notice>
          If an account uses <strong>{request.variables.email.trim()}</strong>, we sent it a link to choose a new password. The link
          works once, for 30 minutes.
        </Notice>
      ) : (
        <>
          <p className="muted">Enter your account's email address and we will send you a link to choose a new password.</p>
          <ErrorAlert message={getErrorMessage(request.error)} />
          <form aria-label="Reset your password" onSubmit={handleSubmit} noValidate>
            <FormField label="Email" name="email" type="email" autoComplete="email" required autoFocus error={fieldErrors.email} />
            <button type="submit" disabled={request.isPending}>
              {request.isPending ? "Sending…" : "Send the link"}
            </button>
          </form>
        </>
      )}
    </CardPage>
  );
}
