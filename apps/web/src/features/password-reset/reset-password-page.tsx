// Where the reset link lands: choose a new password. Success ends every session of the account
// (other browsers are signed out) and signs this browser in on a new one.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { CardPage } from "../../components/card-page.tsx";
import { readFormText } from "../../components/form-field.tsx";
import { ErrorAlert } from "../../components/message.tsx";
import { NewPasswordField } from "../../components/new-password-field.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { NoReferrer, useLinkToken } from "../../lib/link-token.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function ResetPasswordPage() {
  const trpc = useTRPC();
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const complete = useMutation(
    trpc.passwordReset.complete.mutationOptions({
      onSuccess: async () => {
        // A new session: nothing cached belongs to it yet.
        await queryClient.invalidateQueries();
        await navigate("/", { replace: true });
      },
    }),
  );
  const fieldErrors = getFieldErrors(complete.error);
  // A refused link (expired, used, wrong) cannot be retried: offer a new one.
  const linkRefused = complete.isError && !fieldErrors.newPassword;

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (token) complete.mutate({ token, newPassword: readFormText(event.currentTarget, ["newPassword"]).newPassword });
  }

  return (
    <CardPage title="Choose a new password" footer={<Link to="/sign-in">Back to sign in</Link>}>
      <NoReferrer />
      {!token ? (
        <p role="alert" className="alert">
          This page needs the link from your email. <Link to="/forgot-password">Request a new link</Link>
        </p>
      ) : (
        <>
          <ErrorAlert message={getErrorMessage(complete.error)} />
          {linkRefused ? (
            <p>
              <Link to="/forgot-password">Request a new link</Link>
            </p>
          ) : (
            <form aria-label="Choose a new password" onSubmit={handleSubmit} noValidate>
              <p className="muted">Every device signed in to your account will be signed out.</p>
              <NewPasswordField label="New password" name="newPassword" error={fieldErrors.newPassword} />
              <button type="submit" disabled={complete.isPending}>
                {complete.isPending ? "Saving…" : "Set new password"}
              </button>
            </form>
          )}
        </>
      )}
    </CardPage>
  );
}
