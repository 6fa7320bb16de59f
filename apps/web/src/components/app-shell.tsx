// The frame of every signed-in page: brand, main navigation, who is signed in, and account actions.
import type { ReactNode } from "react";
import { NavLink } from "react-router";

export function AppShell({ userName, actions, children }: { userName: string; actions: ReactNode; children: ReactNode }) {
  return (
    <div className="shell">
      <header className="shell-header">
        <span className="brand">latchkey</span>
        <nav aria-label="Main" className="shell-nav">
          <NavLink to="/" end>
            Notes
          </NavLink>
          <NavLink to="/sessions">Sessions</NavLink>
          <NavLink to="/account">Account</NavLink>
        </nav>
        <div className="shell-user">
          <span className="muted">{userName}</span>
          {actions}
        </div>
      </header>
      <main className="shell-main">{children}</main>
    </div>
  );
}
