// Messages a page shows about what just happened: errors in an alert region (announced when they
// appear), confirmations in a status region, and the loading / load-failed / empty states of a query.
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
    <p role="status" className="muted loading">
      <span className="spinner" aria-hidden="true" />
      {children}
    </p>
  );
}

/** Placeholder cards in the shape of the list that is loading; announced once as "Loading…". */
export function ListSkeleton({ label, count = 3 }: { label: string; count?: number }) {
  return (
    <div role="status" aria-label={`Loading ${label}`}>
      <ul className="list" aria-hidden="true">
        {Array.from({ length: count }, (_, index) => (
          <li key={index} className="card skeleton">
            <span className="skeleton-line skeleton-line-title" />
            <span className="skeleton-line" />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What a list says when it has nothing in it yet, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state-title">{title}</p>
      <p className="muted">{children}</p>
    </div>
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
