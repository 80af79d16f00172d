// Self-set spending limits on purchases, with what was spent so far in money and any raise still waiting.
import { useState } from 'preact/hooks';
import type { Wallet } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { GiftCaps } from './GiftCaps';
import { dollarsText, ErrorNote, fromNow, money, Note, parseDollars, useAsk, when } from './ui';

const PERIODS = [
  { period: 'daily', window: 'day', label: 'Per day', spent: 'in the last 24 hours' },
  { period: 'weekly', window: 'week', label: 'Per week', spent: 'in the last 7 days' },
  { period: 'monthly', window: 'month', label: 'Per month', spent: 'in the last 30 days' },
] as const;

export function LimitsView({
  wallet,
  onChanged,
  now = Date.now(),
}: {
  wallet: Wallet;
  onChanged(): void;
  now?: number;
}) {
  const ask = useAsk();
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(PERIODS.map(({ period }) => [period, dollarsText(wallet.limits[period])])),
  );
  const [error, setError] = useState<ReplyError | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const limits: Record<string, number | null> = {};
    for (const { period } of PERIODS) {
      const text = inputs[period]!.trim();
      const cents = text === '' ? null : parseDollars(text);
      if (text !== '' && (cents === null || cents <= 0))
        return setError({
          code: 'invalid_request',
          message: `Enter an amount like 25 or 25.50 for ${period}, or leave it empty for no limit.`,
        });
      if (cents !== wallet.limits[period]) limits[period] = cents;
    }
    if (Object.keys(limits).length === 0) return setSaved(true);
    const r = await ask({ type: 'limits.set', limits });
    if (!r.ok) return setError(r.error);
    setSaved(true);
    onChanged();
  }

  return (
    <section class="limits">
      <p class="muted">
        Limits cap what you spend on coins. Lowering a limit applies at once; raising or removing one takes effect after
        24 hours.
      </p>
      <form onSubmit={save}>
        {PERIODS.map(({ period, window, label, spent }) => {
          const limit = wallet.limits[period];
          const pending = wallet.pendingLimits.find((p) => p.period === period);
          return (
            <fieldset key={period} data-period={period}>
              <legend>{label}</legend>
              <p class="spent">
                Spent {money(wallet.purchased[window])} {spent}
                {limit !== null ? ` of your ${money(limit)} limit` : ' (no limit)'}.
              </p>
              {pending && (
                <p class="pending">
                  {pending.amount === null ? 'Removing this limit' : `Raising to ${money(pending.amount)}`} takes effect{' '}
                  {when(pending.effectiveAt)} ({fromNow(pending.effectiveAt, now)}).
                </p>
              )}
              <label>
                Limit in $ (empty = none)
                <input
                  name={period}
                  inputMode="decimal"
                  value={inputs[period]}
                  onInput={(e) => setInputs({ ...inputs, [period]: e.currentTarget.value })}
                />
              </label>
            </fieldset>
          );
        })}
        <button class="primary" type="submit">
          Save limits
        </button>
      </form>
      {saved && <Note kind="ok">Saved.</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />
      <GiftCaps wallet={wallet} onChanged={onChanged} now={now} />
    </section>
  );
}
