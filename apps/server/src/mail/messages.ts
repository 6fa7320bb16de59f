// What each mail says: a plain-text part and a simple HTML part, every link built from APP_ORIGIN.
// Link tokens travel in the URL fragment (#token=…), which browsers never send to a server or in a
// Referer, and the page consumes them only by POST (mail scanners that follow links burn nothing).
import type { MailMessage } from "./outbox.ts";

export const LINK_PATHS = {
  verifyEmail: "/verify-email",
  resetPassword: "/reset-password",
  confirmEmailChange: "/confirm-email-change",
  forgotPassword: "/forgot-password",
  signIn: "/sign-in",
} as const;

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

function buildLink(appOrigin: string, path: string, token?: string): string {
  return `${appOrigin}${path}${token ? `#token=${token}` : ""}`;
}

/** A paragraph of text, or a link shown as a button. */
type Block = string | { label: string; href: string };

function compose(to: string, subject: string, blocks: Block[]): MailMessage {
  const text = blocks.map((block) => (typeof block === "string" ? block : `${block.label}:\n${block.href}`)).join("\n\n");
  const body = blocks
    .map((block) =>
      typeof block === "string"
        ? `<p>${escapeHtml(block)}</p>`
        : `<p><a href="${escapeHtml(block.href)}" style="display:inline-block;padding:10px 16px;background:#2f5bd3;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(block.label)}</a></p>`,
    )
    .join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1d2433;max-width:560px">\n<p style="font-weight:700">latchkey</p>\n${body}\n</body></html>`;
  return { to, subject, text, html };
}

const IGNORE = "If you did not ask for this, you can ignore this message.";

export function composeVerificationMail(appOrigin: string, to: string, token: string, code: string): MailMessage {
  return compose(to, `Your latchkey code is ${code}`, [
    "Confirm that this is your email address to finish setting up your latchkey account.",
    `Your code: ${code}`,
    { label: "Confirm my email", href: buildLink(appOrigin, LINK_PATHS.verifyEmail, token) },
    "The code and the link work once, for 24 hours.",
    IGNORE,
  ]);
}

/** To the owner of an address someone tried to sign up with: sign-up itself says nothing. */
export function composeAccountExistsMail(appOrigin: string, to: string): MailMessage {
  return compose(to, "Someone tried to sign up with your email", [
    "Someone tried to create a latchkey account with this email address, but you already have one.",
    { label: "Sign in", href: buildLink(appOrigin, LINK_PATHS.signIn) },
    { label: "Reset your password", href: buildLink(appOrigin, LINK_PATHS.forgotPassword) },
    "If it was not you, nothing has changed and you can ignore this message.",
  ]);
}

export function composePasswordResetMail(appOrigin: string, to: string, token: string): MailMessage {
  return compose(to, "Reset your latchkey password", [
    "Someone (hopefully you) asked to reset the password of your latchkey account.",
    { label: "Choose a new password", href: buildLink(appOrigin, LINK_PATHS.resetPassword, token) },
    "The link works once, for 30 minutes. Resetting signs out every device.",
    IGNORE,
  ]);
}

export function composePasswordChangedMail(appOrigin: string, to: string): MailMessage {
  return compose(to, "Your latchkey password was changed", [
    "The password of your latchkey account was just changed, and every device was signed out.",
    "If this was not you, reset your password now to take the account back.",
    { label: "Reset your password", href: buildLink(appOrigin, LINK_PATHS.forgotPassword) },
  ]);
}

export function composeEmailChangeMail(appOrigin: string, to: string, token: string): MailMessage {
  return compose(to, "Confirm your new latchkey email", [
    "Confirm that this is the new email address of your latchkey account. The address changes only once you do.",
    { label: "Confirm my new email", href: buildLink(appOrigin, LINK_PATHS.confirmEmailChange, token) },
    "The link works once, for 24 hours.",
    IGNORE,
  ]);
}

/**
 * To the old address when a change is requested: the way back is a password reset link for the
 * account (bound to the account, not the address), which also cancels the change and signs out
 * every device.
 */
export function composeEmailChangeNoticeMail(appOrigin: string, to: string, newEmail: string, resetToken: string): MailMessage {
  return compose(to, "Your latchkey email is being changed", [
    `Someone signed in to your latchkey account asked to change its email address to ${newEmail}.`,
    "If this was you, confirm the change from the new address. If it was not, secure your account now: choosing a new password cancels the change and signs out every device.",
    { label: "Secure my account", href: buildLink(appOrigin, LINK_PATHS.resetPassword, resetToken) },
    "The link works once, for 30 minutes.",
  ]);
}
