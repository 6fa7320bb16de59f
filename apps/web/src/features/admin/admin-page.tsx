// Administration: look up a user by email or id, see their sessions and end any or all of them.
// Shown in the navigation to admins only; the server answers FORBIDDEN to anyone else.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterInputs, RouterOutputs } from "@latchkey/server";
import { useState, type FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, LoadError, LoadingMessage, Notice } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { Timestamp } from "../../components/timestamp.tsx";
import { useTRPC } from "../../lib/trpc.ts";

type Lookup = RouterInputs["admin"]["listUserSessions"];
type UserSessions = RouterOutputs["admin"]["listUserSessions"];

const KIND_LABELS: Record<UserSessions["sessions"][number]["kind"], string> = { cookie: "Browser", bearer: "App token" };

export function AdminPage() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const [lookup, setLookup] = useState<Lookup | null>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { user } = readFormText(event.currentTarget, ["user"]);
    const value = user.trim();
    if (value) setLookup(value.includes("@") ? { email: value } : { userId: value });
  }

  if (account.isPending) return <LoadingMessage />;
  if (account.isError) return <LoadError error={account.error} onRetry={() => void account.refetch()} />;
  if (account.data.role !== "admin") {
    return (
      <>
        <h1>Admin</h1>
        <p className="muted">This page is for administrators.</p>
      </>
    );
  }
  return (
    <>
      <h1>Admin</h1>
      <section className="card" aria-labelledby="lookup-heading">
        <h2 id="lookup-heading">Find a user's sessions</h2>
        <form aria-label="Find a user" onSubmit={handleSubmit} noValidate>
          <FormField label="Email or user id" name="user" required />
          <button type="submit">Find</button>
        </form>
      </section>
      {lookup && <UserSessionsSection lookup={lookup} />}
    </>
  );
}

function UserSessionsSection({ lookup }: { lookup: Lookup }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const result = useQuery(trpc.admin.listUserSessions.queryOptions(lookup));
  const reauthentication = useReauthentication();
  const revoke = useMutation(
    trpc.admin.revokeUserSessions.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.admin.listUserSessions.queryFilter()),
    }),
  );
  const resetMfa = useMutation(
    trpc.admin.resetUserMfa.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.admin.listUserSessions.queryFilter()),
    }),
  );

  if (result.isPending) return <LoadingMessage />;
  if (result.isError) return <LoadError error={result.error} onRetry={() => void result.refetch()} />;
  const { user, sessions, mfa } = result.data;
  const hasSecondFactor = mfa.totp || mfa.passkeys > 0;
  const endSessions = (sessionId?: string) =>
    void reauthentication.run(() => revoke.mutateAsync(sessionId ? { userId: user.id, sessionId } : { userId: user.id }));

  return (
    <section aria-labelledby="user-heading">
      <h2 id="user-heading">
        {user.name} ({user.email})
      </h2>
      <p className="muted small">
        User id {user.id} · role {user.role}
      </p>
      <p aria-label="Two-step verification">
        Two-step verification:{" "}
        {hasSecondFactor
          ? `on (${[mfa.totp && "authenticator app", mfa.passkeys > 0 && `${mfa.passkeys} passkey${mfa.passkeys === 1 ? "" : "s"}`].filter(Boolean).join(", ")}; ${mfa.recoveryCodesLeft} recovery codes left)`
          : "off"}
      </p>
      {hasSecondFactor && (
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            disabled={resetMfa.isPending || reauthentication.isPrompting}
            onClick={() => void reauthentication.run(() => resetMfa.mutateAsync({ userId: user.id }))}
          >
            Reset two-step verification
          </button>
        </div>
      )}
      {resetMfa.isSuccess && <Notice>Two-step verification was reset and every session of this user ended.</Notice>}
      <ErrorAlert message={reauthentication.getErrorMessage(revoke.error ?? resetMfa.error)} />
      {revoke.isSuccess && (
        <Notice>
          Ended {revoke.data.revoked} {revoke.data.revoked === 1 ? "session" : "sessions"}.
        </Notice>
      )}
      {reauthentication.prompt}
      {sessions.length === 0 ? (
        <p className="muted">No active sessions.</p>
      ) : (
        <>
          <ul className="list" aria-label={`Sessions of ${user.email}`}>
            {sessions.map((session) => (
              <li key={session.id} className="card session" aria-label={`${KIND_LABELS[session.kind]} ${session.id}`}>
                <dl className="session-details">
                  <dt>Device</dt>
                  <dd>{session.userAgent ?? "Unknown"}</dd>
                  <dt>IP address</dt>
                  <dd>{session.ip ?? "Unknown"}</dd>
                  <dt>Type</dt>
                  <dd>{KIND_LABELS[session.kind]}</dd>
                  <dt>Last active</dt>
                  <dd>
                    <Timestamp value={session.lastActiveAt} />
                  </dd>
                </dl>
                <div className="actions">
                  <button
                    type="button"
                    className="button-secondary"
                    disabled={revoke.isPending || reauthentication.isPrompting}
                    onClick={() => endSessions(session.id)}
                  >
                    End session
                  </button>
                </div>
              </li>
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={revoke.isPending || reauthentication.isPrompting}
              onClick={() => endSessions()}
            >
              End all sessions
            </button>
          </div>
        </>
      )}
    </section>
  );
}
