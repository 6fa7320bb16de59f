// Passkeys: the list (rename in place, delete in sudo mode) and adding one (sudo mode), through the
// browser's passkey dialog. The account's first second factor also brings recovery codes, shown once.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@latchkey/server";
import { useState, type FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, LoadError, LoadingMessage } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { Timestamp } from "../../components/timestamp.tsx";
import { getErrorMessage } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { createPasskey, describePasskeyFailure, supportsPasskeys } from "../../lib/webauthn.ts";
import { RecoveryCodeList } from "./recovery-codes.tsx";

type Passkey = RouterOutputs["passkey"]["list"][number];

export function PasskeysSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const passkeys = useQuery(trpc.passkey.list.queryOptions());
  const reauthentication = useReauthentication();
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries(trpc.passkey.list.queryFilter()), queryClient.invalidateQueries(trpc.mfa.status.queryFilter())]);
  const options = useMutation(trpc.passkey.registrationOptions.mutationOptions());
  const register = useMutation(trpc.passkey.register.mutationOptions({ onSuccess: () => void refresh() }));
  const [browserError, setBrowserError] = useState<string | null>(null);

  async function addPasskey(name: string) {
    setBrowserError(null);
    register.reset();
    const optionsJSON = await options.mutateAsync();
    try {
      register.mutate({ name, response: await createPasskey(optionsJSON) });
    } catch (error) {
      setBrowserError(describePasskeyFailure(error));
    }
  }

  function handleAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = readFormText(form, ["name"]).name.trim() || "Passkey";
    void reauthentication.run(() => addPasskey(name).then(() => form.reset()));
  }

  return (
    <section className="card" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="muted">Sign in with your fingerprint, face or device PIN instead of a password. A passkey counts as two factors.</p>
      <ErrorAlert message={browserError ?? reauthentication.getErrorMessage(options.error) ?? getErrorMessage(register.error)} />
      {reauthentication.prompt}
      {register.data?.recoveryCodes && <RecoveryCodeList codes={register.data.recoveryCodes} />}
      {passkeys.isPending ? (
        <LoadingMessage />
      ) : passkeys.isError ? (
        <LoadError error={passkeys.error} onRetry={() => void passkeys.refetch()} />
      ) : passkeys.data.length === 0 ? (
        <p>No passkeys yet.</p>
      ) : (
        <ul className="list" aria-label="Your passkeys">
          {passkeys.data.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} onChanged={() => void refresh()} />
          ))}
        </ul>
      )}
      {supportsPasskeys() ? (
        <form aria-label="Add a passkey" onSubmit={handleAdd} noValidate>
          <FormField label="Name for the new passkey" name="name" defaultValue="" />
          <button type="submit" disabled={options.isPending || register.isPending || reauthentication.isPrompting}>
            Add a passkey
          </button>
        </form>
      ) : (
        <p className="muted">This browser does not support passkeys.</p>
      )}
    </section>
  );
}

function PasskeyItem({ passkey, onChanged }: { passkey: Passkey; onChanged: () => void }) {
  const trpc = useTRPC();
  const [renaming, setRenaming] = useState(false);
  const reauthentication = useReauthentication();
  const rename = useMutation(
    trpc.passkey.rename.mutationOptions({
      onSuccess: () => {
        setRenaming(false);
        onChanged();
      },
    }),
  );
  const remove = useMutation(trpc.passkey.delete.mutationOptions({ onSuccess: onChanged }));

  function handleRename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ id: passkey.id, name: readFormText(event.currentTarget, ["name"]).name });
  }

  return (
    <li className="card" aria-label={`Passkey ${passkey.name}`}>
      <ErrorAlert message={getErrorMessage(rename.error) ?? reauthentication.getErrorMessage(remove.error)} />
      {reauthentication.prompt}
      {renaming ? (
        <form aria-label={`Rename ${passkey.name}`} onSubmit={handleRename} noValidate>
          <FormField label="Name" name="name" defaultValue={passkey.name} required autoFocus />
          <div className="actions">
            <button type="submit" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" className="button-secondary" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <strong>{passkey.name}</strong>
          <p className="muted small">
            Added <Timestamp value={passkey.createdAt} />
            {passkey.lastUsedAt && (
              <>
                {" "}· last used <Timestamp value={passkey.lastUsedAt} />
              </>
            )}
          </p>
          <div className="actions">
            <button type="button" className="button-secondary" onClick={() => setRenaming(true)}>
              Rename
            </button>
            <button
              type="button"
              className="button-danger"
              disabled={remove.isPending || reauthentication.isPrompting}
              onClick={() => void reauthentication.run(() => remove.mutateAsync({ id: passkey.id }))}
            >
              Delete
            </button>
          </div>
        </>
      )}
    </li>
  );
}
