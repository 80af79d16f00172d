// Self-set caps on gifts, beside the purchase limits: per stream (one creator's current live session) and per
// day (all gifts over the last 24 hours), in money. Lowering applies at once; raising or removing after 24 h.
import type { Wallet } from '../lib/api';
import { PendingChange, useAmountsForm } from './AmountsForm';
import { ErrorNote, money, Note } from './ui';

const CAPS = [
  { cap: 'stream', pending: 'gift_stream', label: 'Per stream', what: 'to one creator during one live stream' },
  { cap: 'daily', pending: 'gift_daily', label: 'Per day', what: 'in gifts over any 24 hours' },
] as const;

export function GiftCaps({ wallet, onChanged, now = Date.now() }: { wallet: Wallet; onChanged(): void; now?: number }) {
  const form = useAmountsForm({
    current: wallet.giftLimits,
    labels: { stream: 'Per stream', daily: 'Per day' },
    example: '20 or 20.50',
    none: 'no cap',
    request: (giftLimits) => ({ giftLimits }),
    onChanged,
  });
  return (
    <section class="gift-caps">
      <h3>Gift caps</h3>
      <p class="muted">
        Caps stop a gift that would take you over what you chose to send. Lowering a cap applies at once; raising or
        removing one takes effect after 24 hours. You have sent {money(wallet.giftSpent.day)} in gifts in the last 24
        hours.
      </p>
      <form onSubmit={form.save}>
        {CAPS.map(({ cap, pending, label, what }) => {
          const limit = wallet.giftLimits[cap];
          return (
            <fieldset key={cap} data-cap={cap}>
              <legend>{label}</legend>
              <p class="spent">
                {limit === null ? `No cap on what you send ${what}.` : `At most ${money(limit)} ${what}.`}
              </p>
              <PendingChange wallet={wallet} period={pending} noun="cap" now={now} />
              <label>
                Cap in $ (empty = none)
                {form.input(cap, `gift-${cap}`)}
              </label>
            </fieldset>
          );
        })}
        <button class="primary" type="submit" name="save-caps">
          Save gift caps
        </button>
      </form>
      {form.saved && <Note kind="ok">Saved.</Note>}
      <ErrorNote error={form.error} context={{ where: 'popup' }} />
    </section>
  );
}
