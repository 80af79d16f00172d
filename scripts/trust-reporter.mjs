// A Vitest reporter for the worker's tests: collects the counts the trust suite (worker/test/trust) puts in
// task.meta.trustCounts — tests run inside workerd and cannot write files — and writes them to
// .trust-counts.json at the repository root, where scripts/trust-summary.mjs prints them at the end of `npm test`.
import { rmSync, writeFileSync } from 'node:fs';

const OUT = new URL('../.trust-counts.json', import.meta.url);

export default class TrustCountsReporter {
  onInit() {
    rmSync(OUT, { force: true });
  }

  onTestRunEnd(testModules) {
    const counts = {};
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const c = test.meta().trustCounts;
        if (c && test.result().state === 'passed') counts[c.file] = { ...c, test: test.fullName };
      }
    }
    if (Object.keys(counts).length)
      writeFileSync(OUT, `${JSON.stringify({ at: new Date().toISOString(), counts }, null, 2)}\n`);
  }
}
