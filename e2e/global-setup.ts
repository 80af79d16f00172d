// Once per `vitest run` of the browser tests, before any file: what every file would otherwise make for itself.
// - Local storage with the D1 migrations applied (by `wrangler d1 migrations apply`, ~8 s of CPU each time):
//   each server starts from a copy of it, so its storage is still fresh and its own.
// - The plain extension build (no deployment variables), built from the sources under test: files that load it
//   get a private copy. Builds with variables (deployment.e2e.ts) are still made by the file that wants them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../scripts/wrangler-dev.mjs';
import { ROOT, buildExtensionNow } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Local storage with the migrations applied; copy it, never start a server on it. */
    migratedStorage: string;
    /** The plain Chrome build of the extension; copy it, never load it. */
    plainExtension: string;
  }
}

export default function setup(project: TestProject) {
  const storage = mkdtempSync(join(tmpdir(), 'giftstream-e2e-migrated-'));
  applyMigrations(ROOT, storage);
  const extension = buildExtensionNow('chrome', {});
  project.provide('migratedStorage', storage);
  project.provide('plainExtension', extension);
  return () => {
    rmSync(storage, { recursive: true, force: true });
    rmSync(extension, { recursive: true, force: true });
  };
}
