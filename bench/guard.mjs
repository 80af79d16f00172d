// The busy-machine guard: before each load the bench measures how much of the machine other work is
// using, and a figure taken on a busy machine, on a baseline that moved, or with a client that could not
// keep up is marked NOT COMPARABLE instead of being printed as a result.
import { readFileSync } from 'node:fs';

/** Cores other processes may keep busy before a load (the bench and wrangler are idle then). */
export const MAX_BUSY_CORES = Number(process.env.BENCH_MAX_BUSY_CORES ?? 0.25);
/** A baseline measured before and after scenario 1 must agree within this share of their mean. */
export const MAX_BASELINE_DRIFT = Number(process.env.BENCH_MAX_BASELINE_DRIFT ?? 0.25);
/** A load generator using more than this share of a core (its one thread) was the bottleneck, or close. */
export const MAX_CLIENT_CPU = Number(process.env.BENCH_MAX_CLIENT_CPU ?? 0.8);
/** An in-process client whose event loop lagged this much (p99, ms) timed its own latencies late. */
export const MAX_CLIENT_LAG_MS = Number(process.env.BENCH_MAX_CLIENT_LAG_MS ?? 50);

function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
}

const cores = () => readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 1;

/** How many cores were busy over `ms` (the whole machine, this process included: it sleeps meanwhile). */
export async function busyCores(ms = 1500) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? Math.round((1 - (b.idle - a.idle) / total) * cores() * 100) / 100 : 0;
}

/** Reasons a figure is not comparable; empty when it is. */
export function reasons({ busy, clientCpu, clientLagMs, baselineDrift } = {}) {
  const out = [];
  if (busy !== undefined && busy > MAX_BUSY_CORES)
    out.push(`machine busy: ${busy} cores in use before the load (max ${MAX_BUSY_CORES})`);
  if (clientCpu !== undefined && clientCpu > MAX_CLIENT_CPU)
    out.push(`client saturated: ${clientCpu.toFixed(2)} of a core (max ${MAX_CLIENT_CPU})`);
  if (clientLagMs !== undefined && clientLagMs > MAX_CLIENT_LAG_MS)
    out.push(`client lagged: event loop p99 ${clientLagMs.toFixed(0)} ms (max ${MAX_CLIENT_LAG_MS})`);
  if (baselineDrift !== undefined && baselineDrift > MAX_BASELINE_DRIFT)
    out.push(
      `baseline moved ${(baselineDrift * 100).toFixed(0)}% between before and after (max ${MAX_BASELINE_DRIFT * 100}%)`,
    );
  return out;
}
