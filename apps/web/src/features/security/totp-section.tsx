// The authenticator app: set it up (QR code or key, confirmed with one code, then recovery codes
// shown once) or turn it off. Both need sudo mode.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { QrCode } from "./qr-code.tsx";
import { RecoveryCodeList } from "./recovery-codes.tsx";

export function TotpSection({ enabled }: { enabled: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reauthentication = useReauthentication();
  const refreshStatus = () => queryClient.invalidateQueries(trpc.mfa.status.queryFilter());
  const start = useMutation(trpc.mfa.startTotp.mutationOptions());
  const confirm = useMutation(trpc.mfa.confirmTotp.mutationOptions());
  const disable = useMutation(trpc.mfa.disableTotp.mutationOptions({ onSuccess: () => void refreshStatus() }));

  function handleConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.mutate(readFormText(event.currentTarget, ["code"]));
  }

  // After confirming: the codes, shown once, until the user says they saved them.
  if (confirm.data) {
    return (
      <section className="card" aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator app</h2>
        <Notice>Your authenticator app is set up.</Notice>
        <RecoveryCodeList codes={confirm.data.recoveryCodes} />
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              confirm.reset();
              start.reset();
              void refreshStatus();
            }}
          >
            I have saved my recovery codes
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app</h2>
      <ErrorAlert message={reauthentication.getErrorMessage(start.error ?? disable.error)} />
      {reauthentication.prompt}
      {enabled ? (
        <>
          <p>On: signing in asks for a code from your app.</p>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={disable.isPending || reauthentication.isPrompting}
              onClick={() => void reauthentication.run(() => disable.mutateAsync())}
            >
              Turn off
            </button>
          </div>
        </>
      ) : start.data ? (
        <>
          <p>Scan this code with your authenticator app, or enter the key by hand, then type the code it shows.</p>
          <QrCode value={start.data.keyUri} label="QR code of your authenticator key" />
          <p>
            Key: <code className="totp-key">{start.data.key}</code>
          </p>
          <ErrorAlert message={getErrorMessage(confirm.error)} />
          <form aria-label="Confirm authenticator app" onSubmit={handleConfirm} noValidate>
            <FormField label="Code from the app" name="code" autoComplete="one-time-code" required error={getFieldErrors(confirm.error).code} />
            <button type="submit" disabled={confirm.isPending}>
              {confirm.isPending ? "Checking…" : "Turn on"}
            </button>
          </form>
        </>
      ) : (
        <>
          <p className="muted">Off. Use an app such as 1Password, Google Authenticator or Aegis for one-time codes.</p>
          <div className="actions">
            <button type="button" disabled={start.isPending || reauthentication.isPrompting} onClick={() => void reauthentication.run(() => start.mutateAsync())}>
              Set up authenticator app
            </button>
          </div>
        </>
      )}
    </section>
  );
}
