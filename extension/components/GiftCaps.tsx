// Self-set caps on gifts, beside the purchase limits: per stream (one creator's current live session) and per
// day (all gifts over the last 24 hours), in money. Lowering applies at once; raising or removing after 24 h.
import { useState } from 'preact/hooks';
import type { Wallet } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { dollarsText, ErrorNote, fromNow, money, Note, parseDollars, useAsk, when } from './ui';

const CAPS = [
  { cap: 'stream', pending: 'gift_stream', label: 'Per stream', what: 'to one creator during one live stream' },
  { cap: 'daily', pending: 'gift_daily', label: 'Per day', what: 'in gifts over any 24 hours' },
] as const;

export function GiftCaps({ wallet, onChanged, now = Date.now() }: { wallet: Wallet; onChanged(): void; now?: number }) {
  const ask = useAsk();
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(CAPS.map(({ cap }) => [cap, dollarsText(wallet.giftLimits[cap])])),
  );
  const [error, setError] = useState<ReplyError | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const giftLimits: Record<string, number | null> = {};
    for (const { cap, label } of CAPS) {
      const text = inputs[cap]!.trim();
      const cents = text === '' ? null : parseDollars(text);
      if (text !== '' && (cents === null || cents <= 0))
        return setError({
          code: 'invalid_request',
          message: `Enter an amount like 20 or 20.50 for "${label}", or leave it empty for no cap.`,
        });
      if (cents !== wallet.giftLimits[cap]) giftLimits[cap] = cents;
    }
    if (Object.keys(giftLimits).length === 0) return setSaved(true);
    const r = await ask({ type: 'limits.set', limits: { giftLimits } });
    if (!r.ok) return setError(r.error);
    setSaved(true);
    onChanged();
  }

  return (
    <section class="gift-caps">
      <h3>Gift caps</h3>
      <p class="muted">
        Caps stop a gift that would take you over what you chose to send. Lowering a cap applies at once; raising or
        removing one takes effect after 24 hours. You have sent {money(wallet.giftSpent.day)} in gifts in the last 24
        hours.
      </p>
      <form onSubmit={save}>
        {CAPS.map(({ cap, pending: key, label, what }) => {
          const limit = wallet.giftLimits[cap];
          const pending = wallet.pendingLimits.find((p) => p.period === key);
          return (
            <fieldset key={cap} data-cap={cap}>
              <legend>{label}</legend>
              <p class="spent">
                {limit === null ? `No cap on what you send ${what}.` : `At most ${money(limit)} ${what}.`}
              </p>
              {pending && (
                <p class="pending">
                  {pending.amount === null ? 'Removing this cap' : `Raising to ${money(pending.amount)}`} takes effect{' '}
                  {when(pending.effectiveAt)} ({fromNow(pending.effectiveAt, now)}).
                </p>
              )}
              <label>
                Cap in $ (empty = none)
                <input
                  name={`gift-${cap}`}
                  inputMode="decimal"
                  value={inputs[cap]}
                  onInput={(e) => setInputs({ ...inputs, [cap]: e.currentTarget.value })}
                />
              </label>
            </fieldset>
          );
        })}
        <button class="primary" type="submit" name="save-caps">
          Save gift caps
        </button>
      </form>
      {saved && <Note kind="ok">Saved.</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />
    </section>
  );
}
