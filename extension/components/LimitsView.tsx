// Self-set spending limits on purchases, with what was spent so far in money and any raise still waiting.
import type { Wallet } from '../lib/api';
import { PendingChange, useAmountsForm } from './AmountsForm';
import { GiftCaps } from './GiftCaps';
import { ErrorNote, money, Note } from './ui';

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
  const form = useAmountsForm({
    current: wallet.limits,
    labels: { daily: 'Per day', weekly: 'Per week', monthly: 'Per month' },
    example: '25 or 25.50',
    none: 'no limit',
    request: (limits) => limits,
    onChanged,
  });
  return (
    <section class="limits">
      <p class="muted">
        Limits cap what you spend on coins. Lowering a limit applies at once; raising or removing one takes effect after
        24 hours.
      </p>
      <form onSubmit={form.save}>
        {PERIODS.map(({ period, window, label, spent }) => {
          const limit = wallet.limits[period];
          return (
            <fieldset key={period} data-period={period}>
              <legend>{label}</legend>
              <p class="spent">
                Spent {money(wallet.purchased[window])} {spent}
                {limit !== null ? ` of your ${money(limit)} limit` : ' (no limit)'}.
              </p>
              <PendingChange wallet={wallet} period={period} noun="limit" now={now} />
              <label>
                Limit in $ (empty = none)
                {form.input(period)}
              </label>
            </fieldset>
          );
        })}
        <button class="primary" type="submit">
          Save limits
        </button>
      </form>
      {form.saved && <Note kind="ok">Saved.</Note>}
      <ErrorNote error={form.error} context={{ where: 'popup' }} />
      <GiftCaps wallet={wallet} onChanged={onChanged} now={now} />
    </section>
  );
}
