import { defineConfig } from 'vitest/config';

// Browser tests share two cores with a wrangler dev each: one file at a time.
export default defineConfig({
  test: { include: ['**/*.e2e.ts'], fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000 },
});
