// What the purchase limits and the gift caps forms share: amounts typed in dollars (empty = none), a change
// sent only for the fields that moved, and the raise or removal still waiting out its 24 hours.
import { useState } from 'preact/hooks';
import type { Wallet } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { dollarsText, fromNow, money, parseDollars, useAsk, when } from './ui';

type Limits = Extract<Parameters<ReturnType<typeof useAsk>>[0], { type: 'limits.set' }>['limits'];

/**
 * The form's state: `current` holds each field's amount in cents (null = none); `save` checks every field,
 * sends the changed ones through `request` and reports a bad amount with `example` and the field's label.
 */
export function useAmountsForm<K extends string>(opts: {
  current: Record<K, number | null>;
  labels: Record<K, string>;
  example: string;
  none: string;
  request(changed: Partial<Record<K, number | null>>): Limits;
  onChanged(): void;
}) {
  const ask = useAsk();
  const keys = Object.keys(opts.labels) as K[];
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(keys.map((k) => [k, dollarsText(opts.current[k])])),
  );
  const [error, setError] = useState<ReplyError | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const changed: Partial<Record<K, number | null>> = {};
    for (const k of keys) {
      const text = inputs[k]!.trim();
      const cents = text === '' ? null : parseDollars(text);
      if (text !== '' && (cents === null || cents <= 0))
        return setError({
          code: 'invalid_request',
          message: `Enter an amount like ${opts.example} for "${opts.labels[k]}", or leave it empty for ${opts.none}.`,
        });
      if (cents !== opts.current[k]) changed[k] = cents;
    }
    if (Object.keys(changed).length === 0) return setSaved(true);
    const r = await ask({ type: 'limits.set', limits: opts.request(changed) });
    if (!r.ok) return setError(r.error);
    setSaved(true);
    opts.onChanged();
  }

  const input = (k: K, name: string = k) => (
    <input
      name={name}
      inputMode="decimal"
      value={inputs[k]}
      onInput={(e) => setInputs({ ...inputs, [k]: e.currentTarget.value })}
    />
  );
  return { error, saved, save, input };
}

/** A raise or removal that takes effect after its 24 hours, if one is waiting for `period`. */
export function PendingChange({
  wallet,
  period,
  noun,
  now,
}: {
  wallet: Wallet;
  period: string;
  noun: string;
  now: number;
}) {
  const pending = wallet.pendingLimits.find((p) => p.period === period);
  if (!pending) return null;
  return (
    <p class="pending">
      {pending.amount === null ? `Removing this ${noun}` : `Raising to ${money(pending.amount)}`} takes effect{' '}
      {when(pending.effectiveAt)} ({fromNow(pending.effectiveAt, now)}).
    </p>
  );
}
