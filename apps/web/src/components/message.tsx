// Messages a page shows about what just happened: errors in an alert region (announced when they
// appear), confirmations in a status region, and the loading / load-failed states of a query.
import type { ReactNode } from "react";
import { getErrorMessage } from "../lib/api-error.ts";

/** Always rendered (hidden while empty) so assistive technology announces the message it receives. */
export function ErrorAlert({ message }: { message: string | null }) {
  return (
    <div role="alert" className="alert">
      {message}
    </div>
  );
}

/** A confirmation ("Your password has been changed.") or, with tone "info", a neutral explanation. */
export function Notice({ tone = "success", children }: { tone?: "success" | "info"; children: ReactNode }) {
  return (
    <p role="status" className={`notice notice-${tone}`}>
      {children}
    </p>
  );
}

export function LoadingMessage({ children = "Loading…" }: { children?: ReactNode }) {
  return (
    <p role="status" className="muted">
      {children}
    </p>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div role="alert" className="alert">
      {getErrorMessage(error)}{" "}
      <button type="button" className="button-link" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
