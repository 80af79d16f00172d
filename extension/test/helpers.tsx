/**
 * What the extension's component tests share: replies shaped as the background sends them, a fake `ask`
 * (the popup's and panel's one way to reach the background) that answers from a table of handlers, the
 * server's wallet and history shapes, a gift panel with everyday props, and the background script started
 * afresh with messages sent to it as the popup or a stream page sends them.
 */
import { render } from '@testing-library/preact';
import { catalog } from '@giftstream/shared';
import { expect, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { GiftPanel, type GiftPanelProps } from '../components/GiftPanel';
import { AskContext } from '../components/ui';
import background from '../entrypoints/background';
import { forgetResolutions } from '../features/gifting';
import type { Wallet } from '../lib/api';
import { db } from '../lib/db';
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

/** A wallet as the server sends it: `coins` coins worth as many cents, no limits, nothing bought or given. */
export function walletOf(coins: number): Wallet {
  return {
    coins,
    diamonds: 0,
    debt: 0,
    value: { amount: coins, currency: 'USD' },
    diamondsPending: 0,
    limits: { daily: null, weekly: null, monthly: null },
    pendingLimits: [],
    purchased: { day: 0, week: 0, month: 0 },
    gifted: { day: 0, week: 0, month: 0 },
    giftLimits: { stream: null, daily: null },
    giftSpent: { day: 0 },
  };
}

/** A history entry for a purchase of `coins` coins (a cent each) at rate card v1, with its receipt. */
export function purchaseEntry(
  coins: number,
  {
    id = 'E1',
    ref = 'P1',
    at = Date.now() - 1000,
    status = 'completed',
    sandbox = true,
    paymentRef = null as string | null,
  } = {},
) {
  const price = { amount: coins, currency: 'USD' };
  return {
    id,
    kind: 'purchase',
    coins,
    diamonds: 0,
    value: price,
    counterparty: null,
    rateVersion: 1,
    at,
    ref,
    receipt: { purchaseId: ref, price, sandbox, paymentRef, rateVersion: 1, status },
  };
}

/** A creator's earnings: `diamonds` worth `cents`, no payout pending, no sessions or supporters yet. */
export function earningsOf(diamonds: number, cents: number) {
  return {
    diamonds,
    value: { amount: cents, currency: 'USD' as const },
    pendingPayouts: { diamonds: 0, amount: { amount: 0, currency: 'USD' as const } },
    sessions: [],
    topSupporters: [],
  };
}

/** A live creator with a verified Twitch channel. */
export const streamer = {
  handle: 'streamer',
  displayName: 'Streamer',
  live: true,
  channels: [{ url: 'https://twitch.tv/streamer', site: 'twitch', verified: true }],
};

/** The gift panel in the popup, for `streamer`, to a signed-in adult with 5,000 coins; `props` change any of it. */
export function giftPanel(props: Partial<GiftPanelProps> = {}) {
  return (
    <GiftPanel
      creator={streamer}
      verified
      gifts={catalog()}
      signedIn
      adult
      balance={5000}
      confirmThreshold={1000}
      where="popup"
      onSend={vi.fn()}
      {...props}
    />
  );
}

// ---- the background script ----

const ID = fakeBrowser.runtime.id;
/** The popup and a Twitch stream page, as senders of messages to the background. */
export const POPUP = { id: ID, url: `chrome-extension://${ID}/popup.html` };
export const TWITCH_PAGE = { id: ID, url: 'https://www.twitch.tv/streamer', tab: { id: 7 } as never };

/** Sends `message` to the background as `sender` does, and returns the background's reply. */
export async function send(message: unknown, sender: object = POPUP): Promise<any> {
  const replies = await fakeBrowser.runtime.onMessage.trigger(message, sender as never);
  return replies.find(Boolean);
}

/** Starts the background afresh, its requests answered by `fetch`: no channel resolved, nothing stored. */
export async function startBackground(fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) {
  vi.stubGlobal('fetch', fetch);
  forgetResolutions();
  await Promise.all([db.session.clear(), db.outbox.clear(), db.history.clear(), db.cache.clear()]);
  background.main();
}

/** Signs in as the fake server's viewer, from the popup. */
export async function signIn() {
  const r = await send({
    type: 'session.signIn',
    email: 'viewer@example.com',
    password: 'right password',
  } satisfies Message);
  expect(r.ok).toBe(true);
  return r;
}
