// The printable monthly statement: an extension page (it asks the background, which holds the session), opened
// from the popup's statement with the month in its address. The browser's print dialog makes it a PDF.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { monthName, StatementTable } from '../../components/StatementView';
import { AskContext, ErrorNote, useAsk } from '../../components/ui';
import type { Statement } from '../../lib/api';
import { ask } from '../../lib/ask';
import type { ReplyError, SessionView } from '../../lib/replies';
import './style.css';

function StatementPage({ month }: { month: string }) {
  const ask = useAsk();
  const [statement, setStatement] = useState<Statement | null>(null);
  const [session, setSession] = useState<SessionView | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  useEffect(() => {
    void ask({ type: 'session.get' }).then((r) => r.ok && setSession(r.data));
    void ask({ type: 'statement.get', month }).then((r) => (r.ok ? setStatement(r.data.statement) : setError(r.error)));
  }, [month]);
  return (
    <>
      <header>
        <h1>Statement for {monthName(month)}</h1>
        {session && (
          <p>
            {session.user.displayName}
            {session.user.email ? ` (${session.user.email})` : ''} · {session.server}
          </p>
        )}
      </header>
      <ErrorNote error={error} context={{ where: 'popup' }} />
      {statement && (
        <>
          <p class="muted">
            Calendar month in UTC, from your wallet's ledger; money at the rate card each entry used.
            {statement.sandbox && ' Includes sandbox purchases: no real money moved for those.'}
          </p>
          <StatementTable statement={statement} />
          <p class="muted">
            Prices, refunds and fees: <a href={`${session?.server ?? ''}/terms`}>terms</a>. Printed{' '}
            {new Date().toUTCString()}.
          </p>
          <button type="button" class="no-print" name="print" onClick={() => window.print()}>
            Print
          </button>
        </>
      )}
    </>
  );
}

const requested = new URLSearchParams(location.search).get('month') ?? '';
const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(requested) ? requested : new Date().toISOString().slice(0, 7);
render(
  <AskContext.Provider value={ask}>
    <StatementPage month={month} />
  </AskContext.Provider>,
  document.getElementById('app')!,
);
