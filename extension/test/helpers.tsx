/**
 * What the extension's component tests share: replies shaped as the background sends them, and a fake
 * `ask` (the popup's and panel's one way to reach the background) that answers from a table of handlers.
 */
import { render } from '@testing-library/preact';
import { vi } from 'vitest';
import { AskContext } from '../components/ui';
import type { Message } from '../lib/messages';
import type { Reply } from '../lib/replies';

export type Handlers = Partial<Record<Message['type'], (m: any) => Reply<unknown> | Promise<Reply<unknown>>>>;

export const ok = <T,>(data: T) => ({ ok: true as const, data });

export const err = (code: string, message = '', field?: string) => ({
  ok: false as const,
  error: { code, message, ...(field ? { field } : {}) },
});

/** An `ask` that records every message and answers from `handlers` (else `not_found`). */
export function fakeAsk(handlers: Handlers) {
  const calls: any[] = [];
  const ask = vi.fn(async (m: any) => {
    calls.push(m);
    const h = handlers[m.type as Message['type']];
    return h ? h(m) : err('not_found', `no handler for ${m.type}`);
  });
  return { ask: ask as any, calls };
}

/** Renders `ui` with a fake `ask` answering from `handlers`. */
export function renderWith(handlers: Handlers, ui: any) {
  const f = fakeAsk(handlers);
  render(<AskContext.Provider value={f.ask}>{ui}</AskContext.Provider>);
  return f;
}
