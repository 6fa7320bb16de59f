// Recovery codes: how many are left, regenerating them (sudo mode), and the one-time display of new codes.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { useTRPC } from "../../lib/trpc.ts";

/** New codes, shown once: the server keeps only their hashes. */
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <div className="card recovery-codes" aria-label="Your recovery codes">
      <p>
        Save these recovery codes somewhere safe. Each works once, if you lose your authenticator app or passkeys. They will not
        be shown again.
      </p>
      <ul className="code-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function RecoveryCodesSection({ left }: { left: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reauthentication = useReauthentication();
  const regenerate = useMutation(
    trpc.mfa.regenerateRecoveryCodes.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.mfa.status.queryFilter()) }),
  );
  return (
    <section className="card" aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Recovery codes</h2>
      <p className="muted">
        {left} of 10 left. {left < 3 && "Generate new ones before you run out."}
      </p>
      <ErrorAlert message={reauthentication.getErrorMessage(regenerate.error)} />
      {reauthentication.prompt}
      {regenerate.data && <RecoveryCodeList codes={regenerate.data.recoveryCodes} />}
      <div className="actions">
        <button
          type="button"
          className="button-secondary"
          disabled={regenerate.isPending || reauthentication.isPrompting}
          onClick={() => void reauthentication.run(() => regenerate.mutateAsync())}
        >
          Generate new codes
        </button>
      </div>
    </section>
  );
}
