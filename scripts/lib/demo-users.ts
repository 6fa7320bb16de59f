// The demo accounts prisma/seed.ts creates and `pnpm dev` announces. Development only.
export const DEMO_PASSWORD = "latchkey-demo-password";

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  /** `admin` may list and end other users' sessions (the Admin page). */
  role: "user" | "admin";
  notes: Array<{ id: string; title: string; body: string }>;
}

// Fixed ids make the seed idempotent: a second run finds every row already there.
export const DEMO_USERS: DemoUser[] = [
  {
    id: "demo-user-ada",
    email: "ada@example.com",
    name: "Ada Lovelace",
    role: "user",
    notes: [
      { id: "demo-note-ada-1", title: "Note G", body: "A program for the Analytical Engine that computes Bernoulli numbers." },
      { id: "demo-note-ada-2", title: "The engine weaves patterns", body: "It weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves." },
      { id: "demo-note-ada-3", title: "Reply to Mr Babbage", body: "Send the corrected tables before Thursday." },
    ],
  },
  {
    id: "demo-user-alan",
    email: "alan@example.com",
    name: "Alan Turing",
    role: "user",
    notes: [
      { id: "demo-note-alan-1", title: "On computable numbers", body: "A machine with a tape, a head and a finite table of states." },
      { id: "demo-note-alan-2", title: "The imitation game", body: "Replace 'can machines think?' with a question we can test." },
      { id: "demo-note-alan-3", title: "Marathon training", body: "Long run on Sunday: 20 miles, steady pace." },
    ],
  },
  {
    id: "demo-user-grace",
    email: "grace@example.com",
    name: "Grace Hopper",
    role: "admin",
    notes: [
      { id: "demo-note-grace-1", title: "The first bug", body: "A moth in relay 70, panel F. Taped into the log book." },
      { id: "demo-note-grace-2", title: "Nanoseconds", body: "Hand out the 30 cm wires: the distance light travels in one." },
      { id: "demo-note-grace-3", title: "Compilers", body: "Programs should be written in words people read, and translated by the machine." },
    ],
  },
];

/** "grace@example.com (admin)", or just the email. */
export function describeDemoUser(user: DemoUser): string {
  return user.role === "admin" ? `${user.email} (admin)` : user.email;
}
