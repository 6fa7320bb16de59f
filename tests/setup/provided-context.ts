// Values the global setup hands to test files through vitest's provide/inject.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** tests/setup/global-mail.ts: the mail that arrived, and the mail server's off switch. */
    mailControlUrl: string;
  }
}
