// The bounded pool every argon2 hash and verification goes through (DESIGN §5): at most
// `concurrency` run at once per process, at most `queueLimit` wait, and the rest are refused at
// once, so a flood of sign-ins costs a bounded amount of CPU and memory and cannot starve requests
// that need no hash. Edit the sizes in env.ts (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE).
import { hashPassword, verifyPassword } from "./password.ts";

/** The pool and its queue are full: the caller answers 503 with Retry-After. */
export class PasswordHasherBusyError extends Error {
  /** Hashing takes tens of milliseconds, so the queue has moved on by then. */
  readonly retryAfterSeconds = 1;
  constructor() {
    super("Too many password checks at once");
  }
}

export interface PasswordHasherOptions {
  concurrency: number;
  queueLimit: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** verifyPassword (auth/password.ts) in the pool: a null hash costs the same work and is false. */
  verify(passwordHash: string | null, password: string): Promise<boolean>;
}

/** The argon2 functions the pool runs; tests wrap the real ones to count the calls. */
export interface PasswordHashFunctions {
  hash: typeof hashPassword;
  verify: typeof verifyPassword;
}

const ARGON2: PasswordHashFunctions = { hash: hashPassword, verify: verifyPassword };

export function createPasswordHasher(options: PasswordHasherOptions, functions: PasswordHashFunctions = ARGON2): PasswordHasher {
  let running = 0;
  const waiting: Array<() => void> = [];

  async function run<T>(work: () => Promise<T>): Promise<T> {
    if (running < options.concurrency) running++;
    else if (waiting.length < options.queueLimit) await new Promise<void>((resolve) => waiting.push(resolve));
    else throw new PasswordHasherBusyError();
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` never drops below what runs.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    hash: (password) => run(() => functions.hash(password)),
    verify: (passwordHash, password) => run(() => functions.verify(passwordHash, password)),
  };
}
