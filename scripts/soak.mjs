// `npm run soak`: the trust suite's model-based test (and fuzz corpus) at many times the size `npm test` runs.
//   SOAK_RUNS (default 200)   random sequences          SOAK_STEPS (default 60)  steps at most per sequence
//   SOAK_SEED (default random) seed, printed first       SOAK_PATH, SOAK_REPLAY_PATH  replay a failure (printed on failure)
//   SOAK_SHRINK=1             shrink a failure          FUZZ_PER_ROUTE (default 5000) malformed requests per route; 0 skips the fuzz
// Vitest exposes only VITE_-prefixed variables to the tests (which run inside workerd), hence the renaming.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
const seed = process.env.SOAK_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const settings = {
  SOAK_RUNS: process.env.SOAK_RUNS ?? '200',
  SOAK_STEPS: process.env.SOAK_STEPS ?? '60',
  SOAK_SEED: seed,
  SOAK_PATH: process.env.SOAK_PATH,
  SOAK_REPLAY_PATH: process.env.SOAK_REPLAY_PATH,
  SOAK_SHRINK: process.env.SOAK_SHRINK,
  SOAK_PROFILE: process.env.SOAK_PROFILE,
  SOAK_AUDIT_EVERY: process.env.SOAK_AUDIT_EVERY ?? '20',
  FUZZ_PER_ROUTE: process.env.FUZZ_PER_ROUTE ?? '5000',
  FUZZ_SEED: process.env.FUZZ_SEED ?? seed,
};
for (const [k, v] of Object.entries(settings)) if (v !== undefined) env[`VITE_${k}`] = v;
const replaying = process.env.SOAK_PATH !== undefined;
const files = ['test/trust/model.test.ts', ...(replaying || settings.FUZZ_PER_ROUTE === '0' ? [] : ['test/trust/fuzz.test.ts'])];
console.log(`soak: seed ${seed}, ${settings.SOAK_RUNS} sequences of up to ${settings.SOAK_STEPS} steps${files.length > 1 ? `, fuzz ${settings.FUZZ_PER_ROUTE} per route` : ''}`);
const r = spawnSync('npx', ['vitest', 'run', ...files], { cwd: new URL('../worker/', import.meta.url), env, stdio: 'inherit' });
console.log(r.status === 0 ? `soak: passed (seed ${seed})` : `soak: FAILED with seed ${seed}; the REPLAY line above has the seed and path to run it again`);
process.exit(r.status ?? 1);
