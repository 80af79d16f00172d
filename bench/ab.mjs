// `npm run bench:ab -- <git ref> [pairs]`: the same benchmark, run in turns on the commit <ref> and on
// the working tree, and the figures side by side. On a shared two-core machine one run of a scenario can
// differ from the next by a third, and the second of two runs back to back tends to be the slower, so a
// change is judged by pairs: the order alternates (ref first, then working tree first, ...) and the
// summary says in how many pairs the working tree came out ahead.
//
// The ref is checked out in a temporary git worktree that borrows this checkout's node_modules (its own
// workspaces linked in), so both sides run on the same dependencies; bench/run.mjs from the working tree
// measures both. BENCH_ONLY picks scenarios (default throughput,latency,wallet); the other BENCH_*
// variables pass through. Writes bench/ab-results.json.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const [ref, pairsArg] = process.argv.slice(2);
const PAIRS = Number(pairsArg ?? 3);
const ONLY = process.env.BENCH_ONLY ?? 'throughput,latency,wallet';

/** The busiest workerd (the worker's own, not wrangler's proxy) in cores, per gift, in ms. */
const workerMsPerGift = (r) => {
  if (!r?.cpu || !r.perSecond) return undefined;
  const cores = Math.max(
    ...Object.entries(r.cpu)
      .filter(([k]) => k.startsWith('workerd'))
      .map(([, v]) => v),
  );
  return (1000 * cores) / r.perSecond;
};

/** [label, value from results.scenarios, which way is better, decimals] */
const FIGURES = [
  ['1. ratio to baseline', (s) => s.giftThroughput?.ratio, 'higher', 2],
  ['1. gifts/s', (s) => s.giftThroughput?.perSecond, 'higher', 0],
  ['1. gift p99, ms', (s) => s.giftThroughput?.p99, 'lower', 0],
  ['1. worker CPU per gift, ms', (s) => workerMsPerGift(s.giftThroughput), 'lower', 2],
  ['   baseline req/s', (s) => (s.giftThroughput ? s.baseline?.perSecond : undefined), 'higher', 0],
  ['2. gift→screen p50, ms', (s) => s.giftToScreen?.p50, 'lower', 0],
  ['2. gift→screen p99, ms', (s) => s.giftToScreen?.p99, 'lower', 0],
  ['2. gift request p99, ms', (s) => s.giftToScreen?.requestP99, 'lower', 0],
  ['2. without the dev proxy p99, ms', (s) => s.giftToScreenDirect?.p99, 'lower', 0],
  ['3. one wallet, spends/s', (s) => s.oneWallet?.perSecond, 'higher', 0],
  ['4. overlay frames > 20 ms', (s) => s.overlayBurst?.framesOver20ms, 'lower', 0],
  ['7. mixed: request p99 busy/quiet', (s) => s.mixed?.requestP99Ratio, 'lower', 2],
  ['7. mixed: screen p99 busy/quiet', (s) => s.mixed?.screenP99Ratio, 'lower', 2],
  ['8. DO requests per gift', (s) => s.giftToScreen?.cost?.doRequests, 'lower', 2],
  ['8. SQL rows written per gift', (s) => s.giftToScreen?.cost?.sqlRowsWritten, 'lower', 1],
  ['8. $ per million gifts', (s) => s.giftToScreen?.cost?.dollarsPerMillionGifts.total, 'lower', 2],
  ['9. room intake, gifts/s', (s) => s.roomIntake?.perSecond, 'higher', 0],
  ['6. gift p50 during a login storm, ms', (s) => s.loginStorm?.busy.p50, 'lower', 0],
  ['6. gift p99 during a login storm, ms', (s) => s.loginStorm?.busy.p99, 'lower', 0],
  ['6. storm gift p99 ÷ alone', (s) => s.loginStorm && s.loginStorm.busy.p99 / s.loginStorm.quiet.p99, 'lower', 2],
  ['6. sign-ins/s during the storm', (s) => s.loginStorm?.logins.perSecond, 'higher', 1],
];

function git(...args) {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** A checkout of `sha` whose node_modules are this checkout's, except that its own workspaces are linked. */
function checkout(sha) {
  const dir = mkdtempSync(join(tmpdir(), 'giftstream-ab-'));
  git('worktree', 'add', '--detach', dir, sha);
  mkdirSync(join(dir, 'node_modules', '@giftstream'), { recursive: true });
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '@giftstream') symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  // npm links each workspace as ../../<folder>: the same links here point into the checkout.
  for (const name of readdirSync(join(ROOT, 'node_modules', '@giftstream')))
    symlinkSync(join('..', '..', name), join(dir, 'node_modules', '@giftstream', name));
  if (existsSync(join(ROOT, '.dev.vars'))) copyFileSync(join(ROOT, '.dev.vars'), join(dir, '.dev.vars'));
  return dir;
}

function build(tree) {
  const r = spawnSync('npm', ['run', 'build', '-w', 'overlay'], { cwd: tree, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`overlay build failed in ${tree}:\n${r.stdout}${r.stderr}`);
}

function bench(tree, out) {
  const r = spawnSync(process.execPath, [join(HERE, 'run.mjs')], {
    cwd: tree,
    env: { ...process.env, BENCH_ROOT: tree, BENCH_OUT: out, BENCH_ONLY: ONLY },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bench/run.mjs failed on ${tree}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function summary(label, runs) {
  const lines = [`${'figure'.padEnd(28)} ${label.ref.padEnd(26)} ${label.work.padEnd(26)} working tree ahead`];
  for (const [name, pick, better, digits] of FIGURES) {
    const a = runs.map((p) => pick(p.ref.scenarios));
    const b = runs.map((p) => pick(p.work.scenarios));
    if (a.some((x) => x === undefined) || b.some((x) => x === undefined)) continue;
    const show = (xs) => `${xs.map((x) => x.toFixed(digits)).join(' ')} (${median(xs).toFixed(digits)})`;
    const ahead = a.filter((x, i) => (better === 'higher' ? b[i] > x : b[i] < x)).length;
    lines.push(`${name.padEnd(28)} ${show(a).padEnd(26)} ${show(b).padEnd(26)} ${ahead} of ${runs.length}`);
  }
  return lines.join('\n');
}

function main() {
  if (!ref || !(PAIRS >= 1)) {
    console.error('usage: npm run bench:ab -- <git ref> [pairs, default 3]');
    process.exit(2);
  }
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const short = git('rev-parse', '--short', sha);
  if (spawnSync('git', ['diff', '--quiet', sha, '--', 'package-lock.json'], { cwd: ROOT }).status !== 0) {
    console.error(`note: package-lock.json differs from ${short}; both sides run on this checkout's node_modules`);
  }
  const old = checkout(sha);
  const cleanUp = () => {
    spawnSync('git', ['worktree', 'remove', '--force', old], { cwd: ROOT });
    rmSync(old, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    build(old);
    build(ROOT);
    const runs = [];
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 === 0 ? ['ref', 'work'] : ['work', 'ref'];
      const pair = {};
      for (const side of order) {
        console.error(`[ab] pair ${i + 1} of ${PAIRS}: ${side === 'ref' ? short : 'working tree'}`);
        pair[side] = bench(side === 'ref' ? old : ROOT, join(old, `ab-${side}.json`));
      }
      runs.push(pair);
    }
    const table = summary({ ref: short, work: 'working tree' }, runs);
    // The busy-machine guard's verdicts (bench/guard.mjs): a pair taken on a busy machine says little.
    const rejected = runs.flatMap((p, i) =>
      ['ref', 'work'].flatMap((side) =>
        Object.keys(p[side].notComparable ?? {}).map(
          (k) => `pair ${i + 1} ${side === 'ref' ? short : 'working tree'}: ${k}`,
        ),
      ),
    );
    writeFileSync(join(HERE, 'ab-results.json'), JSON.stringify({ ref: sha, only: ONLY, pairs: runs }, null, 2) + '\n');
    console.log(
      `\nPaired runs, ${short} and the working tree, alternating which goes first (${ONLY}); each cell: every pair's figure (median)\n\n${table}\n${rejected.length ? `\nNOT COMPARABLE (busy machine or lagging client): ${rejected.join('; ')}\n` : ''}\nWritten to bench/ab-results.json\n`,
    );
  } finally {
    cleanUp();
  }
}

main();
