// `npm run soak`: the trust suite's model-based test (and fuzz corpus) at many times the size `npm test` runs.
//   SOAK_RUNS (default 200)    random sequences in all     SOAK_STEPS (default 60)  steps at most per sequence
//   SOAK_SEED (default random) first seed, printed first   SOAK_PATH, SOAK_REPLAY_PATH  replay a failure (printed on failure)
//   SOAK_SHRINK=1              shrink a failure            FUZZ_PER_ROUTE (default 5000) malformed requests per route; 0 skips the fuzz
//
// Sequences run in batches of SOAK_BATCH (50), each in a fresh workerd with its own seed (first seed + batch
// number): under vitest-pool-workers, creating a Durable Object gets slower with every object the process has
// created (measured: 10 ms for the first, 75 ms after 350), and every sequence creates fresh users and rooms.
// Vitest exposes only VITE_-prefixed variables to the tests (which run inside workerd), hence the renaming.
import { spawnSync } from 'node:child_process';

const first = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(process.env.SOAK_RUNS ?? 200);
const batch = Number(process.env.SOAK_BATCH ?? 50);
const replaying = process.env.SOAK_PATH !== undefined;
const fuzzPerRoute = process.env.FUZZ_PER_ROUTE ?? '5000';

function vitest(file, settings) {
  const env = { ...process.env };
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) env[`VITE_${k}`] = String(v);
  return (
    spawnSync('npx', ['vitest', 'run', file], { cwd: new URL('../worker/', import.meta.url), env, stdio: 'inherit' })
      .status ?? 1
  );
}

const common = {
  SOAK_STEPS: process.env.SOAK_STEPS ?? 60,
  SOAK_SHRINK: process.env.SOAK_SHRINK,
  SOAK_PROFILE: process.env.SOAK_PROFILE,
};
if (replaying) {
  console.log(`soak: replaying seed ${first}, path ${process.env.SOAK_PATH}`);
  const status = vitest('test/trust/model.test.ts', {
    ...common,
    SOAK_SEED: first,
    SOAK_RUNS: 1,
    SOAK_PATH: process.env.SOAK_PATH,
    SOAK_REPLAY_PATH: process.env.SOAK_REPLAY_PATH,
  });
  process.exit(status);
}
const batches = Math.ceil(runs / batch);
console.log(
  `soak: ${runs} sequences of up to ${common.SOAK_STEPS} steps in ${batches} batch(es), seeds ${first}…${first + batches - 1}${fuzzPerRoute !== '0' ? `; fuzz ${fuzzPerRoute} per route, seed ${first}` : ''}`,
);
if (
  fuzzPerRoute !== '0' &&
  vitest('test/trust/fuzz.test.ts', { FUZZ_PER_ROUTE: fuzzPerRoute, FUZZ_SEED: first }) !== 0
) {
  console.log(`soak: the fuzz corpus FAILED (FUZZ_SEED=${first} FUZZ_PER_ROUTE=${fuzzPerRoute})`);
  process.exit(1);
}
for (let i = 0; i < batches; i++) {
  const seed = first + i;
  const n = Math.min(batch, runs - i * batch);
  console.log(`soak: batch ${i + 1}/${batches}, seed ${seed}, ${n} sequences`);
  if (vitest('test/trust/model.test.ts', { ...common, SOAK_SEED: seed, SOAK_RUNS: n, SOAK_AUDIT_EVERY: n + 1 }) !== 0) {
    console.log(`soak: FAILED in batch ${i + 1} (seed ${seed}); the REPLAY line above runs that sequence again`);
    process.exit(1);
  }
}
console.log(`soak: passed, ${runs} sequences (seeds ${first}…${first + batches - 1})`);
