// One HTTP load from autocannon, run by bench/run.mjs in a process of its own so that the load
// generator's CPU is its own (reported beside each figure) and it never shares an event loop with the
// bench's sockets. Argument: JSON {url, kind, connections, warmup, seconds, ...kind's fields}. Prints
// one JSON line: successes per second, latency percentiles of the measured part, and the client's CPU.
import autocannon from 'autocannon';

const cfg = JSON.parse(process.argv[2]);
let n = 0;
const json = { 'content-type': 'application/json' };
/** Each kind builds the next request: the worker's route for it, with what makes each one distinct. */
const kinds = {
  noop: (req) => ({ ...req, path: '/' }),
  health: (req) => ({ ...req, path: '/v1/health' }),
  baseline: (req) => ({ ...req, path: `/v1/__test/baseline/${n++ % cfg.objects}` }),
  gift: (req) => {
    const i = n++;
    return {
      ...req,
      method: 'POST',
      path: `/v1/rooms/${cfg.handle}/gifts`,
      headers: {
        ...json,
        authorization: `Bearer ${cfg.tokens[i % cfg.tokens.length]}`,
        'idempotency-key': `${cfg.keyPrefix}-${i}-${Math.random()}`,
      },
      body: JSON.stringify(cfg.body),
    };
  },
  deliver: (req) => ({
    ...req,
    method: 'POST',
    path: `/v1/__test/deliver/${cfg.handle}`,
    headers: json,
    body: JSON.stringify({ creatorUserId: cfg.creatorUserId, from: `wallet-${n++ % cfg.wallets}` }),
  }),
};

const run = (seconds) =>
  autocannon({
    url: cfg.url,
    connections: cfg.connections,
    duration: seconds,
    timeout: 30,
    requests: [{ setupRequest: kinds[cfg.kind] }],
  });

const warm = cfg.warmup > 0 ? await run(cfg.warmup) : null;
const cpu = process.cpuUsage();
const started = performance.now();
const r = await run(cfg.seconds);
const used = process.cpuUsage(cpu);
const wall = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    perSecond: r['2xx'] / wall,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    warmupOk: warm ? warm['2xx'] : 0,
    warmupNon2xx: warm ? warm.non2xx : 0,
    clientCpu: (used.user + used.system) / 1e6 / wall,
  }),
);
