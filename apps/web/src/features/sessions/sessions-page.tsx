// Where users see every device signed in to their account and end the ones they do not trust.
// Ending all the others at once needs a recent password check (sudo mode): asked for in place.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@latchkey/server";
import { ErrorAlert, ListSkeleton, LoadError, Notice } from "../../components/message.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { Timestamp } from "../../components/timestamp.tsx";
import { useToast } from "../../components/toast.tsx";
import { getErrorMessage } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { describeDevice, useUserAgentParser, type UserAgentParser } from "./device.ts";

type Session = RouterOutputs["session"]["list"][number];

const KIND_LABELS: Record<Session["kind"], string> = { cookie: "Browser", bearer: "App token" };

export function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.session.list.queryOptions());
  const revokeOthers = useMutation(
    trpc.session.revokeOthers.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.session.list.queryFilter()),
    }),
  );
  const reauthentication = useReauthentication();
  const parser = useUserAgentParser();
  // This device first, then the others as the server orders them (most recently active first).
  const sortedSessions = sessions.data?.toSorted((a, b) => Number(b.current) - Number(a.current));
  const otherCount = sessions.data?.filter((session) => !session.current).length ?? 0;

  return (
    <>
      <h1>Sessions</h1>
      <p className="muted">Devices signed in to your account. Revoke any you do not recognise.</p>
      <ErrorAlert message={reauthentication.getErrorMessage(revokeOthers.error)} />
      {revokeOthers.isSuccess && (
        <Notice>
          Signed out {revokeOthers.data.revoked} other {revokeOthers.data.revoked === 1 ? "session" : "sessions"}.
        </Notice>
      )}
      {sessions.isError ? (
        <LoadError error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : !sortedSessions || !parser ? (
        <ListSkeleton label="sessions" count={2} />
      ) : (
        <>
          <ul className="list" aria-label="Active sessions">
            {sortedSessions.map((session) => (
              <SessionItem key={session.id} session={session} parser={parser} />
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={revokeOthers.isPending || otherCount === 0 || reauthentication.isPrompting}
              onClick={() => void reauthentication.run(() => revokeOthers.mutateAsync())}
            >
              {revokeOthers.isPending ? "Signing out…" : "Sign out everywhere else"}
            </button>
          </div>
          {reauthentication.prompt}
        </>
      )}
    </>
  );
}

function SessionItem({ session, parser }: { session: Session; parser: UserAgentParser }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const showToast = useToast();
  const device = describeDevice(parser, session.userAgent);
  const revoke = useMutation(
    trpc.session.revoke.mutationOptions({
      onSuccess: () => {
        showToast(`Signed out ${device.name}.`);
        return queryClient.invalidateQueries(trpc.session.list.queryFilter());
      },
    }),
  );

  return (
    <li className="card session" aria-label={session.current ? `${device.name} (this device)` : device.name}>
      <div className="session-heading">
        <strong title={session.userAgent ?? undefined}>{device.name}</strong>
        {session.current && <span className="badge">This device</span>}
      </div>
      <dl className="session-details">
        <dt>Device</dt>
        <dd>{device.type ?? "Unknown"}</dd>
        <dt>IP address</dt>
        <dd>{session.ip ?? "Unknown"}</dd>
        <dt>Type</dt>
        <dd>{KIND_LABELS[session.kind]}</dd>
        <dt>Last active</dt>
        <dd>
          <Timestamp value={session.lastActiveAt} />
        </dd>
        <dt>Signed in</dt>
        <dd>
          <Timestamp value={session.createdAt} />
        </dd>
      </dl>
      <ErrorAlert message={getErrorMessage(revoke.error)} />
      {!session.current && (
        <div className="actions">
          <button
            type="button"
            className="button-secondary"
            disabled={revoke.isPending}
            onClick={() => revoke.mutate({ id: session.id })}
          >
            {revoke.isPending ? "Revoking…" : "Revoke"}
          </button>
        </div>
      )}
    </li>
  );
}
