// Values the global setup hands to test files through vitest's provide/inject.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
