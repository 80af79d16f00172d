import { defineConfig } from 'vitest/config';

// Two files at a time, each with its own `wrangler dev` (own port and storage) and its own Chromium: a file
// spends much of its time waiting on pages and sockets, so two share the two cores without slowing each other
// much. Storage is migrated and the plain extension built once per run (global-setup.ts).
export default defineConfig({
  test: {
    include: ['**/*.e2e.ts'],
    globalSetup: ['./global-setup.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
