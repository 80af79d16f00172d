// Prints what the trust suite (worker/test/trust) covered in this `npm test` run, from .trust-counts.json.
import { readFileSync } from 'node:fs';

const FILES = ['model', 'authz-matrix', 'fuzz'];
let data;
try {
  data = JSON.parse(readFileSync(new URL('../.trust-counts.json', import.meta.url), 'utf8'));
} catch {
  console.error(
    '\nTrust suite: no counts found (.trust-counts.json). Run the worker tests with --reporter=../scripts/trust-reporter.mjs.',
  );
  process.exit(1);
}
const n = (x) => Number(x).toLocaleString('en-US');
const { model: m, 'authz-matrix': a, fuzz: f } = data.counts;
const lines = ['', `Trust suite (worker/test/trust), ${data.at}:`];
if (m) {
  lines.push(
    `  model-based    ${n(m.sequences)} random sequences, ${n(m.steps)} steps (seed ${m.seed}), each step checked against the model: ` +
      `${n(m.requests)} requests, ${n(m.gifts)} gifts, ${n(m.webhookDeliveries)} webhook deliveries, ${n(m.faultsInjected)} faults injected, ${n(m.alarmsFired)} alarms fired (${m.seconds} s)`,
  );
}
if (a) {
  lines.push(
    `  authz matrix   ${n(a.cells)} cells: ${n(a.routes)} routes × ${n(a.principals)} callers = ${n(a.exactCells + a.genericCells)}` +
      `${a.genericCells ? ` (${n(a.genericCells)} without a fixture, checked generically)` : ''}, + ${n(a.signedWebhookCells)} signed-webhook, + ${n(a.extraFieldCells)} extra-field`,
  );
}
if (f)
  lines.push(
    `  fuzz           ${n(f.requests)} malformed requests over ${n(f.routes)} money-moving routes (at least ${n(f.minPerRoute)} each), by status ${f.byStatus}`,
  );
const missing = FILES.filter((k) => !data.counts[k]);
if (missing.length) lines.push(`  MISSING: no counts from ${missing.join(', ')} (did those files pass?)`);
console.log(lines.join('\n'));
process.exit(missing.length ? 1 : 0);
