// The frame of every signed-in page: brand, main navigation, who is signed in, and account actions.
// On a narrow screen (a phone) the navigation and actions fold into a menu behind one button.
import { useEffect, useState, type ReactNode } from "react";
import { NavLink, useLocation } from "../lib/router.tsx";

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
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  // Following a link closes the menu.
  useEffect(() => setMenuOpen(false), [pathname]);

  return (
    <div className="shell">
      {banner}
      <header className="shell-header" data-menu-open={menuOpen}>
        <span className="brand">latchkey</span>
        <button
          type="button"
          className="button-secondary menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="shell-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div id="shell-menu" className="shell-menu">
          <nav aria-label="Main" className="shell-nav">
            <NavLink to="/" end>
              Notes
            </NavLink>
            <NavLink to="/sessions">Sessions</NavLink>
            <NavLink to="/account">Account</NavLink>
            <NavLink to="/security">Security</NavLink>
            {isAdmin && <NavLink to="/admin">Admin</NavLink>}
          </nav>
          <div className="shell-user">
            <span className="muted">{userName}</span>
            {actions}
          </div>
        </div>
      </header>
      <main className="shell-main">{children}</main>
    </div>
  );
}
