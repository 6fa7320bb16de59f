// The frame of every signed-in page: brand, main navigation, who is signed in, and account actions.
import type { ReactNode } from "react";
import { NavLink } from "react-router";

export function AppShell({
  userName,
  isAdmin = false,
  actions,
  banner = null,
  children,
}: {
  userName: string;
  /** Shows the Admin link (the server checks the role again on every admin call). */
  isAdmin?: boolean;
  actions: ReactNode;
  /** A notice above the header on every page (the unverified-email banner). */
  banner?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      {banner}
      <header className="shell-header">
        <span className="brand">latchkey</span>
        <nav aria-label="Main" className="shell-nav">
          <NavLink to="/" end>
            Notes
          </NavLink>
          <NavLink to="/sessions">Sessions</NavLink>
          <NavLink to="/account">Account</NavLink>
          {isAdmin && <NavLink to="/admin">Admin</NavLink>}
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
