import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: '../wrangler.toml' },
        miniflare: {
          // The test configuration only: the settable clock, fault switches, and known secrets.
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_HOOKS: '1',
            ADMIN_TOKEN: 'test-admin-token',
            STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
            STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect_secret',
            SIGNUPS_PER_HOUR: '100000',
            LOGINS_PER_MINUTE: '100000',
            GIFTS_PER_SECOND: '50',
            WS_PER_ROOM: '30',
            WS_PER_ADDRESS: '20',
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
});
