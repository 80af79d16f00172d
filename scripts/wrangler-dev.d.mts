// Types for scripts/wrangler-dev.mjs, imported by the TypeScript browser tests.
export declare const QUIET: Record<string, string | undefined>;
export declare function wranglerIn(root: string): string;
export declare function freePort(): Promise<number>;
export declare function applyMigrations(root: string, persist: string): void;
export declare function devArgs(opts: {
  port: number;
  inspector: number;
  persist: string;
  vars: Record<string, string>;
}): string[];
