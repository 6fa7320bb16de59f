// Proving the address: the landing page of the mailed link (one button, which POSTs the token) or,
// without a link, the form for the code from the mail. Either signs in and opens the app. Someone
// signed in but unverified is sent here while EMAIL_VERIFICATION=required (signed-in-layout.tsx).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CardPage } from "../../components/card-page.tsx";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, LoadingMessage, Notice } from "../../components/message.tsx";
import { SignOutButton } from "../../components/sign-out-button.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { NoReferrer, useLinkToken } from "../../lib/link-token.tsx";
import { Link, Navigate, useLocation, useNavigate } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function VerifyEmailPage() {
  const trpc = useTRPC();
  const token = useLinkToken();
  const location = useLocation();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { refetchOnMount: "always", retry: false }));
  // The address typed at sign-up (history state), else the signed-in user's.
  const signUpEmail = (location.state as { email?: string } | null)?.email ?? "";

  if (me.data?.user.emailVerified) return <Navigate to="/" replace />;
  return (
    <CardPage title="Verify your email" footer={me.data ? <SignOutButton className="button-link" /> : <Link to="/sign-in">Back to sign in</Link>}>
      <NoReferrer />
      {me.isPending ? (
        <LoadingMessage />
      ) : token ? (
        <ConfirmLink token={token} email={me.data?.user.email ?? signUpEmail} />
      ) : (
        <CodeForm signedInEmail={me.data?.user.email ?? null} defaultEmail={signUpEmail} />
      )}
    </CardPage>
  );
}

/**
 * After success every cached answer is stale: the browser now holds a new, verified session. For an
 * account with a second factor that session is pending: the sign-in page asks for the factor.
 */
function useAfterVerification() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async (result: { secondFactor: unknown }) => {
    await queryClient.invalidateQueries();
    await navigate(result.secondFactor ? "/sign-in?second_factor=1" : "/", { replace: true });
  };
}

function ConfirmLink({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const afterVerification = useAfterVerification();
  const confirm = useMutation(trpc.verification.confirmLink.mutationOptions({ onSuccess: afterVerification }));
  return (
    <>
      <p>Confirm that this email address is yours to finish setting up your account.</p>
      <ErrorAlert message={getErrorMessage(confirm.error)} />
      {confirm.isError ? (
        <ResendForm defaultEmail={email} signedIn={false} startOpen />
      ) : (
        <button type="button" disabled={confirm.isPending} onClick={() => confirm.mutate({ token })}>
          {confirm.isPending ? "Confirming…" : "Confirm my email"}
        </button>
      )}
    </>
  );
}

function CodeForm({ signedInEmail, defaultEmail }: { signedInEmail: string | null; defaultEmail: string }) {
  const trpc = useTRPC();
  const afterVerification = useAfterVerification();
  const confirm = useMutation(trpc.verification.confirmCode.mutationOptions({ onSuccess: afterVerification }));
  const fieldErrors = getFieldErrors(confirm.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email, code } = readFormText(event.currentTarget, ["email", "code"]);
    confirm.mutate(signedInEmail ? { code } : { email, code });
  }

  return (
    <>
      <p>
        {signedInEmail ? (
          <>
            We sent a code and a link to <strong>{signedInEmail}</strong>.
          </>
        ) : (
          "Check your email: we sent you a code and a link."
        )}{" "}
        Enter the code, or open the link on this device.
      </p>
      <ErrorAlert message={getErrorMessage(confirm.error)} />
      <form aria-label="Verify with a code" onSubmit={handleSubmit} noValidate>
        {!signedInEmail && (
          <FormField label="Email" name="email" type="email" autoComplete="email" required defaultValue={defaultEmail} error={fieldErrors.email} />
        )}
        <FormField label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required autoFocus error={fieldErrors.code} />
        <button type="submit" disabled={confirm.isPending}>
          {confirm.isPending ? "Checking…" : "Verify"}
        </button>
      </form>
      <ResendForm defaultEmail={signedInEmail ?? defaultEmail} signedIn={signedInEmail !== null} />
    </>
  );
}

/** "Send a new one": the same answer for any address, so it cannot tell who has an account. */
function ResendForm({ defaultEmail, signedIn, startOpen = false }: { defaultEmail: string; signedIn: boolean; startOpen?: boolean }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.verification.resend.mutationOptions());
  const [asking, setAsking] = useState(startOpen);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email } = readFormText(event.currentTarget, ["email"]);
    resend.mutate(signedIn ? {} : { email });
  }

  if (resend.isSuccess) {
    return <Notice>If that address has an account waiting for verification, a new code and link are on their way.</Notice>;
  }
  if (!signedIn && !asking) {
    return (
      <p className="muted">
        No email, or it expired?{" "}
        <button type="button" className="button-link" onClick={() => setAsking(true)}>
          Request a new one
        </button>
      </p>
    );
  }
  return (
    <form aria-label="Request a new code" onSubmit={handleSubmit} noValidate>
      <ErrorAlert message={getErrorMessage(resend.error)} />
      {!signedIn && <FormField label="Your email" name="email" type="email" autoComplete="email" required defaultValue={defaultEmail} />}
      <button type="submit" className="button-secondary" disabled={resend.isPending}>
        {resend.isPending ? "Sending…" : "Request a new one"}
      </button>
    </form>
  );
}
