import { csvCell } from '../text';
import { money, type Money } from './rate-card';

/** One ledger entry as the user sees it: coins signed from their side, money at the rate card it used. */
export interface StatementEntry {
  kind: string;
  coins: number;
  /** Minor units, signed like `coins`. */
  value: number;
  counterparty: string | null;
  at: number;
  /** Purchases: what was paid, and whether it was sandbox money. */
  receipt?: { price: { amount: number }; sandbox: boolean };
}

export interface StatementLine {
  count: number;
  coins: number;
  amount: Money;
}

export interface Statement {
  /** `YYYY-MM`, a calendar month in UTC. */
  month: string;
  from: number;
  to: number;
  purchases: StatementLine;
  gifts: StatementLine & { byCreator: (StatementLine & { handle: string })[] };
  /** Refunds at the viewer's request, less any the payment provider refused (their coins came back). */
  refunds: StatementLine;
  /** Payments the bank reversed (chargebacks): their coins were taken back. */
  chargebacks: StatementLine;
  /** Some purchase this month was sandbox money (no real money moved). */
  sandbox: boolean;
}

/** The first and the next month's first moment (UTC) of `month` (`YYYY-MM`). */
export function monthRange(month: string): { from: number; to: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) };
}

type Sum = { count: number; coins: number; amount: number };
const zero = (): Sum => ({ count: 0, coins: 0, amount: 0 });
const add = (s: Sum, coins: number, amount: number, count = 1) => {
  s.count += count;
  s.coins += coins;
  s.amount += amount;
};
const line = (s: Sum): StatementLine => ({ count: s.count, coins: s.coins, amount: money(s.amount) });

/** A month's purchases, gifts by creator, refunds and chargebacks, in real money, from the ledger's entries. */
export function statementOf(month: string, entries: readonly StatementEntry[]): Statement {
  const { from, to } = monthRange(month);
  const purchases = zero();
  const gifts = zero();
  const refunds = zero();
  const chargebacks = zero();
  const byCreator = new Map<string, Sum>();
  let sandbox = false;
  for (const e of entries) {
    if (e.at < from || e.at >= to || e.coins === 0) continue;
    if (e.kind === 'purchase' && e.coins > 0) {
      add(purchases, e.coins, e.receipt?.price.amount ?? e.value);
      sandbox ||= e.receipt?.sandbox === true;
    } else if (e.kind === 'gift' && e.coins < 0) {
      add(gifts, -e.coins, -e.value);
      const handle = e.counterparty ?? '';
      add(byCreator.get(handle) ?? byCreator.set(handle, zero()).get(handle)!, -e.coins, -e.value);
    } else if (e.kind === 'refund' && e.coins < 0) add(refunds, -e.coins, -e.value);
    else if (e.kind === 'reversal' && e.coins > 0) add(refunds, -e.coins, -e.value, -1);
    else if (e.kind === 'clawback' && e.coins < 0) add(chargebacks, -e.coins, -e.value);
  }
  return {
    month,
    from,
    to,
    purchases: line(purchases),
    gifts: {
      ...line(gifts),
      byCreator: [...byCreator]
        .sort(([a, x], [b, y]) => y.amount - x.amount || a.localeCompare(b))
        .map(([handle, s]) => ({ handle, ...line(s) })),
    },
    refunds: line(refunds),
    chargebacks: line(chargebacks),
    sandbox,
  };
}

/** The statement as CSV: one row per line, money in minor units; cells made safe for spreadsheets. */
export function statementCsv(s: Statement): string {
  const header = ['month', 'section', 'creator', 'count', 'coins', 'amount_minor', 'currency', 'sandbox'];
  const row = (section: string, l: StatementLine, creator = '') =>
    [s.month, section, creator, l.count, l.coins, l.amount.amount, l.amount.currency, String(s.sandbox)]
      .map(csvCell)
      .join(',');
  const rows = [
    row('purchases', s.purchases),
    row('gifts', s.gifts),
    ...s.gifts.byCreator.map((g) => row('gifts_to', g, g.handle)),
    row('refunds', s.refunds),
    row('chargebacks', s.chargebacks),
  ];
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
