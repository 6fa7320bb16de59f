// Values the global setup hands to test files through vitest's provide/inject.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** tests/setup/global-database.ts: one URL per worker, or DATABASE_URL alone; see database-url.ts. */
    databaseUrls: string[];
    /** tests/setup/global-mail.ts: the mail that arrived, and the mail server's off switch. */
    mailControlUrl: string;
    /** tests/setup/global-browser.ts (e2e project): the run's Chromium, for `chromium.connect`. */
    browserWsEndpoint: string;
  }
}
