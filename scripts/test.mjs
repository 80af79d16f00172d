// `npm test`: every check the repository has, in three lanes that run side by side on a two-core machine.
// The worker's tests (one file at a time, each with its own workerd) and the browser tests (two files at a time,
// much of it waiting on pages) are the long ones; lint, the type checks, the small suites and the deploy bundle
// are a queue the third lane works through, and the other two help with once they are done.
// Each step's output is printed whole when it ends, so lanes never interleave; a failed step stops the lanes from
// starting anything new, lets what runs finish, and fails the run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = (...args) => ['npm', ...args];
const bin = (name, ...args) => [join(ROOT, 'node_modules', '.bin', name), ...args];

/** name → command; `after` names steps of other lanes that must have passed first. */
const STEPS = {
  chromium: { cmd: ['node', 'scripts/check-chromium.mjs'] },
  lint: { cmd: npm('run', 'lint') },
  // The overlay's build is the worker's static assets (wrangler.toml) and what the browser tests load.
  build: { cmd: npm('run', 'build') },
  'typecheck shared': { cmd: bin('tsc', '-p', 'shared') },
  'typecheck ui': { cmd: bin('tsc', '-p', 'ui') },
  'typecheck worker': { cmd: bin('tsc', '-p', 'worker') },
  'typecheck overlay': { cmd: bin('tsc', '-p', 'overlay') },
  'typecheck e2e': { cmd: bin('tsc', '-p', 'e2e') },
  'typecheck extension': { cmd: npm('run', 'typecheck', '-w', 'extension'), after: ['build'] },
  'test shared': { cmd: npm('test', '-w', 'shared') },
  'test ui': { cmd: npm('test', '-w', 'ui') },
  'test overlay': { cmd: npm('test', '-w', 'overlay') },
  'test extension': { cmd: npm('test', '-w', 'extension') },
  // One file at a time: two at a time was faster, but the room's timing tests (frame intervals under a burst) then
  // failed in a fresh-clone CI run on two cores (docs/decisions/0014-test-suite-time.md).
  'test worker': {
    cmd: npm('test', '-w', 'worker', '--', '--reporter=default', '--reporter=../scripts/trust-reporter.mjs'),
    after: ['build'],
  },
  'test e2e': { cmd: npm('test', '-w', 'e2e'), after: ['build'] },
  'dry-run': { cmd: npm('run', 'dry-run'), after: ['build'] },
  // What the trust suite covered, printed last.
  'trust summary': { cmd: ['node', 'scripts/trust-summary.mjs'], after: ['test worker'] },
};

// The quick checks: one queue that every lane draws from once its own steps are done.
const QUICK = [
  'lint',
  'typecheck worker',
  'typecheck shared',
  'typecheck ui',
  'typecheck overlay',
  'typecheck e2e',
  'typecheck extension',
  'test shared',
  'test ui',
  'test overlay',
  'test extension',
  'dry-run',
];

// Each lane's niceness: the worker's tests lose far more than their share when their workerd waits for a core
// (timers, alarms and password turns stretch: a run beside unprioritized lanes took 433 s against 223 s alone), so
// they come first; the browser tests, with two-minute bounds and much waiting, next; the quick checks fill gaps
// until the long lanes end and help.
const LANES = [
  { nice: 0, steps: ['test worker'] },
  { nice: 5, steps: ['build', 'test e2e'] },
  { nice: 15, steps: [] },
];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const start = Date.now();
const results = new Map(); // name → { ok, ms }
const waiters = new Map(); // name → resolve[]
let failed = false;

function finished(name) {
  if (results.has(name)) return Promise.resolve(results.get(name));
  return new Promise((resolve) => waiters.set(name, [...(waiters.get(name) ?? []), resolve]));
}

function run(name, nice = 0) {
  const [cmd, ...args] = nice ? ['nice', '-n', String(nice), ...STEPS[name].cmd] : STEPS[name].cmd;
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => out.push(Buffer.from(String(e))));
    child.on('close', (code) => {
      const ms = Date.now() - began;
      const ok = code === 0;
      const text = Buffer.concat(out).toString().trimEnd();
      process.stdout.write(
        `\n── ${name}: ${ok ? 'passed' : `FAILED (exit ${code})`} in ${seconds(ms)} ──\n${text ? `${text}\n` : ''}`,
      );
      resolve({ ok, ms });
    });
  });
}

async function runLane({ nice, steps }) {
  const queue = [...steps];
  for (let name = queue.shift() ?? QUICK.shift(); name; name = queue.shift() ?? QUICK.shift()) {
    const deps = await Promise.all((STEPS[name].after ?? []).map(finished));
    const result = failed || !deps.every((d) => d.ok) ? { ok: false, ms: 0, skipped: true } : await run(name, nice);
    if (!result.ok) failed = true;
    results.set(name, result);
    for (const resolve of waiters.get(name) ?? []) resolve(result);
  }
}

// Say at once when Chromium is missing, before minutes of other work.
const chromium = await run('chromium');
results.set('chromium', chromium);
if (!chromium.ok) process.exit(1);
for (const name of [...LANES.flatMap((l) => l.steps), ...QUICK]) if (!STEPS[name]) throw new Error(`no step ${name}`);
if (!existsSync(join(ROOT, 'node_modules'))) throw new Error('run npm ci first');
await Promise.all(LANES.map(runLane));
await runLane({ nice: 0, steps: ['trust summary'] });

const width = Math.max(...Object.keys(STEPS).map((n) => n.length));
console.log(`\nnpm test: ${failed ? 'FAILED' : 'passed'} in ${seconds(Date.now() - start)}`);
for (const name of Object.keys(STEPS)) {
  const r = results.get(name) ?? { skipped: true };
  console.log(`  ${name.padEnd(width)}  ${r.skipped ? 'not run' : `${r.ok ? 'ok    ' : 'FAILED'}  ${seconds(r.ms)}`}`);
}
process.exit(failed ? 1 : 0);
