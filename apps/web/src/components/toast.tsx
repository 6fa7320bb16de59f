// Toasts: a short line confirming an action that finished ("Note deleted."), shown for a few
// seconds at the bottom of the screen in one polite live region, so screen readers announce it
// without moving focus. `useToast()` from any page; App renders the provider once.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

const TOAST_DURATION_MS = 4_000;

interface Toast {
  id: number;
  message: string;
}

const ToastContext = createContext<((message: string) => void) | null>(null);

/** Shows `message` as a toast; throws outside ToastProvider (a broken invariant, not a user error). */
export function useToast(): (message: string) => void {
  const show = useContext(ToastContext);
  if (!show) throw new Error("useToast needs a ToastProvider above it (App renders one).");
  return show;
}

let nextToastId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback((message: string) => {
    const id = nextToastId++;
    setToasts((current) => [...current, { id, message }]);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);

  return (
    <ToastContext.Provider value={show}>
      {children}
      <div role="status" aria-live="polite" className="toasts">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_DURATION_MS);
    return () => clearTimeout(timer);
  }, [toast.id, onDismiss]);
  return (
    <p className="toast">
      {toast.message}
      <button type="button" className="button-link toast-close" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </p>
  );
}
