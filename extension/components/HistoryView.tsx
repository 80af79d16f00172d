// Wallet history, readable offline from what the background stored; refunds of unspent coins within 14 days.
import { useEffect, useState } from 'preact/hooks';
import type { HistoryItem } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { TermsLink } from './TermsLink';
import { coins, ErrorNote, money, Note, useAsk, useIntentKey, when } from './ui';

export const REFUND_WINDOW = 14 * 24 * 60 * 60 * 1000;

const KIND: Record<string, string> = {
  purchase: 'Bought coins',
  gift: 'Gift',
  creator_share: 'Gift received',
  refund: 'Refund',
  clawback: 'Payment reversed',
  payout: 'Payout',
  reversal: 'Payout returned',
};

function label(e: HistoryItem): string {
  const base = KIND[e.kind] ?? e.kind;
  if (e.kind === 'gift' && e.counterparty) return `${base} to @${e.counterparty}`;
  if (e.kind === 'creator_share' && e.counterparty) return `${base} from ${e.counterparty}`;
  return base;
}

/**
 * `balance`: the wallet's coins now, when known. A refund returns min(the purchase's unrefunded coins, the
 * balance), so with no coins left there is nothing to refund, whatever the purchase's status says.
 */
export function HistoryView({
  now = Date.now(),
  balance = null,
  onMoneyMoved,
}: {
  now?: number;
  balance?: number | null;
  onMoneyMoved?(coins: number): void;
}) {
  const ask = useAsk();
  const [key, renewKey] = useIntentKey();
  const [data, setData] = useState<{ entries: HistoryItem[]; offline: boolean; syncedAt: number | null } | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const [refunded, setRefunded] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);

  async function load() {
    const r = await ask({ type: 'history.list' });
    if (r.ok) setData(r.data);
    else setError(r.error);
  }
  useEffect(() => void load(), []);

  async function refund(purchaseId: string) {
    setError(null);
    const r = await ask({ type: 'purchase.refund', id: purchaseId, key });
    setConfirm(null);
    if (!r.ok) {
      if (!['network', 'no_answer', 'rate_limited'].includes(r.error.code)) renewKey();
      return setError(r.error);
    }
    renewKey();
    onMoneyMoved?.(r.data.wallet.coins);
    const { refund } = r.data;
    setRefunded(
      refund.status === 'pending'
        ? `Refund on its way: ${coins(refund.coins)} (${money(refund.amount.amount)}) have left your wallet, and the money goes back to how you paid once the payment provider confirms it, usually within 5–10 days.`
        : `Refunded ${coins(refund.coins)} (${money(refund.amount.amount)}).`,
    );
    void load();
  }

  return (
    <section class="history">
      {data?.offline && (
        <Note kind="warn">
          Offline: showing history saved {data.syncedAt ? `at ${when(data.syncedAt)}` : 'earlier'}.
        </Note>
      )}
      {refunded && <Note kind="ok">{refunded}</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />
      {data && data.entries.length === 0 && <p class="muted">Nothing yet. Buy coins to get started.</p>}
      <ul class="entries">
        {data?.entries.map((e) => {
          const refunding = e.receipt?.status === 'refund_pending';
          // Only a purchase with coins left to return offers a refund (older servers send no receipt status).
          const open = !e.receipt || e.receipt.status === 'completed' || e.receipt.status === 'partially_refunded';
          const refundable =
            e.kind === 'purchase' &&
            e.coins > 0 &&
            e.ref &&
            now - e.at < REFUND_WINDOW &&
            !data.offline &&
            open &&
            balance !== 0;
          return (
            <li key={e.id} data-kind={e.kind}>
              <div class="row">
                <span class="grow">
                  {label(e)}
                  {e.receipt?.sandbox && ' '}
                  {e.receipt?.sandbox && (
                    <span class="badge sandbox" title="A sandbox purchase: no real money moved">
                      sandbox
                    </span>
                  )}
                </span>
                <span class={e.coins < 0 || e.diamonds < 0 ? 'neg' : 'pos'}>
                  {e.coins !== 0
                    ? `${e.coins > 0 ? '+' : ''}${coins(e.coins)}`
                    : `${e.diamonds > 0 ? '+' : ''}${e.diamonds.toLocaleString('en-US')} diamonds`}
                </span>
              </div>
              <div class="row muted">
                <span class="grow">{when(e.at)}</span>
                <span>{money(e.value.amount)}</span>
              </div>
              {/* Rows stored by an older version may hold a receipt without its price. */}
              {e.receipt?.price && (
                <div class="row muted receipt">
                  <span class="grow">
                    Receipt: paid {money(e.receipt.price.amount)}
                    {e.receipt.sandbox ? ' (sandbox)' : ''}, rate card v{e.receipt.rateVersion}
                    {e.receipt.paymentRef ? `, ref ${e.receipt.paymentRef}` : ''}
                  </span>
                  <TermsLink />
                </div>
              )}
              {refunding && (
                <div class="row muted">Refund on its way: waiting for the payment provider to confirm.</div>
              )}
              {refundable &&
                (confirm === e.ref ? (
                  <div class="row">
                    <span class="grow">Refund the unspent coins of this purchase?</span>
                    <button type="button" class="primary" onClick={() => void refund(e.ref!)}>
                      Refund
                    </button>
                    <button type="button" onClick={() => setConfirm(null)}>
                      Keep
                    </button>
                  </div>
                ) : (
                  <button type="button" class="link" onClick={() => setConfirm(e.ref)}>
                    Refund unspent coins
                  </button>
                ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
