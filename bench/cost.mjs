// Cost per gift from the worker's meter (worker/src/meter.ts): what one gift costs in billed units, and
// in dollars per million gifts at Cloudflare's published prices (Workers Paid, beyond the included
// amounts). The price table, its date and its sources are in docs/benchmarks.md ("Cost per gift").
export const PRICES = {
  asOf: '2026-12-05',
  /** US dollars per million units. */
  workerRequest: 0.3,
  doRequest: 0.15,
  sqlRowRead: 0.001,
  sqlRowWritten: 1.0,
  d1RowRead: 0.001,
  d1RowWritten: 1.0,
};
/** Incoming WebSocket messages are billed as one request per 20. */
export const WS_IN_PER_REQUEST = 20;

const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const diffCounts = (a = {}, b = {}) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));

/** Per SQL statement, what ran between the snapshots, most rows written first. */
function statementDiff(before, after) {
  return Object.entries(after.bySql ?? {})
    .map(([q, s]) => {
      const b = before.bySql?.[q] ?? { statements: 0, rowsRead: 0, rowsWritten: 0 };
      return [
        q,
        {
          statements: s.statements - b.statements,
          rowsRead: s.rowsRead - b.rowsRead,
          rowsWritten: s.rowsWritten - b.rowsWritten,
        },
      ];
    })
    .filter(([, s]) => s.statements)
    .sort((x, y) => y[1].rowsWritten - x[1].rowsWritten);
}

/** Per-gift figures from two meter snapshots around `gifts` gifts. */
export function costPerGift(before, after, gifts) {
  const requests = diffCounts(before.doRequests, after.doRequests);
  const wsIn = Object.entries(requests)
    .filter(([k]) => k.endsWith('.webSocketMessage'))
    .reduce((a, [, v]) => a + v, 0);
  const billedDo = sum(requests) - wsIn + wsIn / WS_IN_PER_REQUEST;
  const sql = {};
  for (const [cls, s] of Object.entries(after.sql)) {
    const b = before.sql[cls] ?? { statements: 0, rowsRead: 0, rowsWritten: 0 };
    sql[cls] = {
      statements: s.statements - b.statements,
      rowsRead: s.rowsRead - b.rowsRead,
      rowsWritten: s.rowsWritten - b.rowsWritten,
    };
  }
  const alarmWrites = sum(diffCounts(before.alarmWrites, after.alarmWrites));
  const rowsRead = Object.values(sql).reduce((a, s) => a + s.rowsRead, 0);
  const rowsWritten = Object.values(sql).reduce((a, s) => a + s.rowsWritten, 0) + alarmWrites;
  const d1 = after.d1 && {
    byQuery: Object.fromEntries(
      Object.entries(after.d1.byQuery ?? {})
        .map(([q, n]) => [q, (n - (before.d1.byQuery?.[q] ?? 0)) / gifts])
        .filter(([, n]) => n)
        .sort((x, y) => y[1] - x[1]),
    ),
    queries: after.d1.queries - before.d1.queries,
    rowsRead: after.d1.rowsRead - before.d1.rowsRead,
    rowsWritten: after.d1.rowsWritten - before.d1.rowsWritten,
  };
  const per = (x) => x / gifts;
  const bySql = statementDiff(before, after);
  const out = {
    gifts,
    workerRequests: per(after.workerRequests - before.workerRequests),
    doRequests: per(billedDo),
    doRequestsByMethod: Object.fromEntries(
      Object.entries(requests)
        .filter(([, v]) => v)
        .map(([k, v]) => [k, per(v)]),
    ),
    sqlStatements: per(Object.values(sql).reduce((a, s) => a + s.statements, 0)),
    sqlRowsRead: per(rowsRead),
    sqlRowsWritten: per(rowsWritten),
    sqlByClass: Object.fromEntries(
      Object.entries(sql).map(([k, s]) => [k, { rowsRead: per(s.rowsRead), rowsWritten: per(s.rowsWritten) }]),
    ),
    alarmWrites: per(alarmWrites),
    /** Per statement, most rows written first: where a gift's writes go. */
    sqlByStatement: Object.fromEntries(
      bySql.map(([q, s]) => [
        q,
        { statements: per(s.statements), rowsRead: per(s.rowsRead), rowsWritten: per(s.rowsWritten) },
      ]),
    ),
    d1Queries: d1 ? per(d1.queries) : null,
    d1RowsRead: d1 ? per(d1.rowsRead) : null,
    d1RowsWritten: d1 ? per(d1.rowsWritten) : null,
    d1ByQuery: d1?.byQuery ?? null,
    wsSent: per(after.wsSent - before.wsSent),
  };
  const p = PRICES;
  out.dollarsPerMillionGifts = {
    workerRequests: out.workerRequests * p.workerRequest,
    doRequests: out.doRequests * p.doRequest,
    sqlRows: out.sqlRowsRead * p.sqlRowRead + out.sqlRowsWritten * p.sqlRowWritten,
    d1Rows: d1 ? out.d1RowsRead * p.d1RowRead + out.d1RowsWritten * p.d1RowWritten : 0,
  };
  out.dollarsPerMillionGifts.total = sum(out.dollarsPerMillionGifts);
  return out;
}
