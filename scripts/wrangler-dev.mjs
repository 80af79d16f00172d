// Shared by the browser tests (e2e/harness.ts) and the benchmarks (bench/run.mjs): a free port, the local D1
// migrations, and the `wrangler dev` command line for a server with its own ports and storage.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The environment wrangler runs in: no metrics, no Cloudflare lookups, no colour. */
export const QUIET = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
};

/** The wrangler installed in the checkout at `root`. */
export const wranglerIn = (root) => join(root, 'node_modules', '.bin', 'wrangler');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Applies the checkout's D1 migrations to the local storage in `persist`; throws with wrangler's output if they fail. */
export function applyMigrations(root, persist) {
  const migrate = spawnSync(
    wranglerIn(root),
    ['d1', 'migrations', 'apply', 'giftstream', '--local', '--persist-to', persist],
    { cwd: root, env: QUIET, encoding: 'utf8' },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}\n${migrate.stdout}`);
}

/** The arguments of a quiet `wrangler dev` on 127.0.0.1:`port`, inspector on `inspector`, storage in `persist`. */
export function devArgs({ port, inspector, persist, vars }) {
  const args = [
    'dev',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    String(inspector),
    '--persist-to',
    persist,
    '--log-level',
    'warn',
    '--show-interactive-dev-session=false',
  ];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  return args;
}
