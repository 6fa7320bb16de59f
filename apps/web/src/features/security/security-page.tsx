// Security settings: the authenticator app (TOTP), recovery codes and passkeys. Adding or removing
// a factor needs sudo mode, asked for in place; new recovery codes are shown once.
import { useQuery } from "@tanstack/react-query";
import { LoadError, LoadingMessage } from "../../components/message.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { PasskeysSection } from "./passkeys-section.tsx";
import { RecoveryCodesSection } from "./recovery-codes.tsx";
import { TotpSection } from "./totp-section.tsx";

export function SecurityPage() {
  const trpc = useTRPC();
  const status = useQuery(trpc.mfa.status.queryOptions());
  if (status.isPending) return <LoadingMessage />;
  if (status.isError) return <LoadError error={status.error} onRetry={() => void status.refetch()} />;
  const protectedBySecondFactor = status.data.totp || status.data.passkeys > 0;
  return (
    <>
      <h1>Security</h1>
      <p className="muted">
        {protectedBySecondFactor
          ? "Two-step verification is on: signing in with your password also needs a second factor."
          : "Two-step verification is off. Add an authenticator app or a passkey to protect your account."}
      </p>
      <TotpSection enabled={status.data.totp} />
      <PasskeysSection />
      {protectedBySecondFactor && <RecoveryCodesSection left={status.data.recoveryCodesLeft} />}
    </>
  );
}
