// Small pieces every view uses. Text is always rendered as text: nothing here takes HTML.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { formatMoney } from '@giftstream/shared';
import { explain, type ExplainContext } from '../lib/explain';
import type { Ask } from '../lib/ask';
import type { ReplyError } from '../lib/replies';

export const AskContext = createContext<Ask | null>(null);

export function useAsk(): Ask {
  const ask = useContext(AskContext);
  if (!ask) throw new Error('AskContext missing');
  return ask;
}

export function coins(n: number): string {
  return `${n.toLocaleString('en-US')} ${Math.abs(n) === 1 ? 'coin' : 'coins'}`;
}

/** Money with thousands separators: $699,999.99. */
export function money(minor: number): string {
  return formatMoney(minor).replace(/\d+(?=\.)/, (whole) => Number(whole).toLocaleString('en-US'));
}

/** Cents from what a person types as dollars ("12", "12.5", "12.50"); null if it is not an amount. */
export function parseDollars(input: string): number | null {
  const m = input
    .trim()
    .replace(/^\$/, '')
    .match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Dollars as an input's starting text, from cents. */
export function dollarsText(minor: number | null): string {
  return minor === null ? '' : formatMoney(minor).slice(1);
}

/** An Idempotency-Key for one intent (one purchase, one payout): kept across retries, renewed after an answer. */
/**
 * Asks again while a view is open: on focus, and every `ms` while the popup or page is visible, so what it
 * shows is never older than that. The first ask is the view's own.
 */
export function useRefresh(ms: number, ask: () => void, deps: unknown[], enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    const t = setInterval(() => document.visibilityState !== 'hidden' && ask(), ms);
    window.addEventListener('focus', ask);
    return () => {
      clearInterval(t);
      window.removeEventListener('focus', ask);
    };
  }, [...deps, enabled]);
}

export function useIntentKey(): [string, () => void] {
  const [key, setKey] = useState(() => crypto.randomUUID());
  return [key, () => setKey(crypto.randomUUID())];
}

export function ErrorNote({ error, context }: { error: ReplyError | null; context?: ExplainContext }) {
  if (!error) return null;
  const e = explain(error, context);
  return (
    <div class="note error" role="alert">
      <strong>{e.title}</strong>
      <p>{e.detail}</p>
    </div>
  );
}

export function Note({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`note ${kind}`} role="status">
      {children}
    </div>
  );
}

export function when(at: number): string {
  return new Date(at).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/** "in 23 h", "in 5 min" */
export function fromNow(at: number, now = Date.now()): string {
  const ms = Math.max(0, at - now);
  if (ms >= 3_600_000) return `in ${Math.round(ms / 3_600_000)} h`;
  return `in ${Math.max(1, Math.round(ms / 60_000))} min`;
}
