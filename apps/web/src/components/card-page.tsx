// The frame of the pages outside the app shell (sign in, sign up, verify, reset): the brand, a
// title and one card, with a footer for links elsewhere.
import type { ReactNode } from "react";

export function CardPage({ title, footer, children }: { title: string; footer?: ReactNode; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="card auth-card">
        <p className="brand">latchkey</p>
        <h1>{title}</h1>
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </div>
    </main>
  );
}
