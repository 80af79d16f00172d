// The monthly statement: purchases, gifts by creator, refunds and chargebacks for a chosen month, in real
// money, as the wallet's ledger has them. Downloadable as CSV and openable as a printable page.
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { Statement } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { coins, ErrorNote, money, useAsk } from './ui';

/** `YYYY-MM` of a time, in UTC (statements are calendar months in UTC). */
export function monthOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

export function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The statement's lines as a table; the popup and the printable page show the same one. */
export function StatementTable({ statement: s }: { statement: Statement }) {
  const row = (label: string, l: Statement['purchases'], cls = '') => (
    <tr class={cls}>
      <th scope="row">{label}</th>
      <td>{l.count.toLocaleString('en-US')}</td>
      <td>{coins(l.coins)}</td>
      <td class="amount">{money(l.amount.amount)}</td>
    </tr>
  );
  return (
    <table class="statement-table">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">Entries</th>
          <th scope="col">Coins</th>
          <th scope="col" class="amount">
            Money
          </th>
        </tr>
      </thead>
      <tbody>
        {row('Coins bought', s.purchases)}
        {row('Gifts sent', s.gifts)}
        {s.gifts.byCreator.map((g) => row(`to @${g.handle}`, g, 'sub'))}
        {row('Refunded to you', s.refunds)}
        {row('Reversed by your bank', s.chargebacks)}
      </tbody>
    </table>
  );
}

/** Saves text as a file from an extension page (the popup or the printable page). */
export function download(text: string, filename: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function StatementView({ now = Date.now() }: { now?: number }) {
  const ask = useAsk();
  const [month, setMonth] = useState(() => monthOf(now));
  const [statement, setStatement] = useState<Statement | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);

  useEffect(() => {
    setError(null);
    void ask({ type: 'statement.get', month }).then((r) =>
      r.ok ? setStatement(r.data.statement) : (setStatement(null), setError(r.error)),
    );
  }, [month]);

  async function csv() {
    const r = await ask({ type: 'statement.csv', month });
    if (!r.ok) return setError(r.error);
    download(r.data.csv, r.data.filename);
  }

  return (
    <section class="statement">
      <div class="row">
        <label class="grow">
          Monthly statement{' '}
          <input
            type="month"
            name="month"
            value={month}
            max={monthOf(now)}
            onChange={(e) => /^\d{4}-\d{2}$/.test(e.currentTarget.value) && setMonth(e.currentTarget.value)}
          />
        </label>
      </div>
      <ErrorNote error={error} context={{ where: 'popup' }} />
      {statement && (
        <>
          <p class="muted">
            {monthName(statement.month)} (UTC), from your wallet's ledger.
            {statement.sandbox && ' Includes sandbox purchases: no real money moved for those.'}
          </p>
          <StatementTable statement={statement} />
          <div class="row">
            <button type="button" name="csv" onClick={() => void csv()}>
              Download CSV
            </button>
            <button
              type="button"
              name="print"
              onClick={() =>
                void browser.tabs.create({ url: browser.runtime.getURL(`/statement.html?month=${month}`) })
              }
            >
              Printable page
            </button>
          </div>
        </>
      )}
    </section>
  );
}
