// Fair by design: the spend meter on the page panel and in the popup, the gift caps beside the purchase limits,
// the monthly statement, a refused gift explained in the server's words, and the terms linked from receipts.
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { catalog } from '@giftstream/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GiftTab } from '../components/GiftTab';
import { HistoryView } from '../components/HistoryView';
import { LimitsView } from '../components/LimitsView';
import { PageGift } from '../components/PageGift';
import { StatementView } from '../components/StatementView';
import type { Wallet } from '../lib/api';
import { err, fakeAsk, ok, purchaseEntry, renderWith, streamer } from './helpers';

const NOW = Date.UTC(2026, 11, 5, 18, 0);
const gifts = catalog();
const resolved = { creator: streamer, channel: { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true } };
const usd = (amount: number) => ({ amount, currency: 'USD' as const });
const sent = (stream: number, day: number) => ({ stream: usd(stream), day: usd(day) });

const wallet: Wallet = {
  coins: 1000,
  diamonds: 0,
  debt: 0,
  value: usd(1000),
  diamondsPending: 0,
  limits: { daily: null, weekly: null, monthly: null },
  giftLimits: { stream: 2000, daily: null },
  pendingLimits: [{ period: 'gift_daily', amount: 5000, effectiveAt: NOW + 20 * 3_600_000 }],
  purchased: { day: 0, week: 0, month: 0 },
  gifted: { day: 0, week: 0, month: 0 },
  giftSpent: { day: 300 },
};

/** A gift's reply as the background relays it, with the wallet's meter after it. */
function sentView(m: any, meter: ReturnType<typeof sent>) {
  return ok({
    key: `k-${Math.random()}`,
    handle: m.handle,
    body: m.gift,
    status: 'sent',
    attempts: 0,
    createdAt: NOW,
    result: { gift: {}, wallet: { coins: 900, sent: meter } },
  });
}

/** The page panel's state for a signed-in adult with 1,000 coins at a live stream, its meter at `meter`. */
const pageState = (meter: ReturnType<typeof sent>) =>
  ok({
    signedIn: true,
    adult: true,
    coins: 1000,
    live: true,
    at: Date.now(),
    gifts,
    confirmThreshold: 1000,
    sent: meter,
    giftLimits: { stream: 2000, daily: null },
  });

const meterText = () => screen.getByRole('status', { name: 'What you have sent' }).textContent;

afterEach(() => vi.useRealTimers());

describe('the spend meter', () => {
  it('on the page panel: read from the wallet, then from each reply, a combo counting as it grows', async () => {
    let meter = sent(125, 300);
    const replies = [sent(130, 305), sent(140, 315)];
    const { ask, calls } = fakeAsk({
      'page.state': () => pageState(meter),
      'page.sendGift': (m) => sentView(m, replies.shift()!),
    });
    const { unmount } = render(
      <PageGift resolved={resolved} channelUrl="https://twitch.tv/streamer" ask={ask} trustedOnly={false} />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    await screen.findByText(/You have sent/);
    expect(meterText()).toBe(
      'You have sent $1.25 to @streamer this stream of your $20.00 per-stream cap.$3.00 today (last 24 hours, all streams).',
    );
    expect(calls.find((c) => c.type === 'page.state')).toEqual({ type: 'page.state', handle: 'streamer' });
    fireEvent.click(screen.getByRole('option', { name: /Rose/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.05' }));
    await waitFor(() => expect(meterText()).toContain('You have sent $1.30 to @streamer'));
    fireEvent.input(screen.getByLabelText('Count'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.10' }));
    await waitFor(() => expect(meterText()).toContain('You have sent $1.40 to @streamer'));
    expect(meterText()).toContain('$3.15 today');
    // After a restart nothing is remembered in the page: the wallet's own count is read again.
    unmount();
    meter = sent(140, 315);
    render(<PageGift resolved={resolved} channelUrl="https://twitch.tv/streamer" ask={ask} trustedOnly={false} />);
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    await screen.findByText(/You have sent/);
    expect(meterText()).toContain('You have sent $1.40 to @streamer this stream');
  });

  it('in the popup: asks the wallet about the stream in the current tab', async () => {
    const { calls } = renderWith(
      {
        'channel.resolve': () => ok(resolved),
        'outbox.list': () => ok([]),
        'wallet.get': (m) =>
          ok({
            wallet: { ...wallet, room: { handle: m.room, live: true, sessionId: 's1', sent: sent(0, 300) } },
            offline: false,
            at: NOW,
          }),
        'gift.send': (m) => sentView(m, sent(500, 800)),
      },
      <GiftTab
        tabUrl="https://twitch.tv/streamer"
        adult
        balance={1000}
        gifts={gifts}
        confirmThreshold={1000}
        onSent={() => undefined}
      />,
    );
    await screen.findByText(/You have sent/);
    expect(calls.find((c) => c.type === 'wallet.get')).toEqual({ type: 'wallet.get', room: 'streamer' });
    expect(meterText()).toBe(
      'You have sent $0.00 to @streamer this stream of your $20.00 per-stream cap.$3.00 today (last 24 hours, all streams).',
    );
    fireEvent.click(screen.getByRole('option', { name: /Diamond Ring/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $5.00' }));
    await waitFor(() => expect(meterText()).toContain('You have sent $5.00 to @streamer'));
  });

  it("shows a gift over a cap refused in the wallet's words, with nothing charged", async () => {
    const message =
      'This gift ($5.00) would go over your per-stream gift cap of $20.00: you have sent $18.00 to @streamer this stream. It frees up when @streamer starts a new stream.';
    const { ask } = fakeAsk({
      'page.state': () => pageState(sent(1800, 1800)),
      'page.sendGift': () => err('gift_limit', message),
    });
    render(<PageGift resolved={resolved} channelUrl="https://twitch.tv/streamer" ask={ask} trustedOnly={false} />);
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    fireEvent.click(await screen.findByRole('option', { name: /Diamond Ring/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $5.00' }));
    expect(await screen.findByText('Gift cap reached')).toBeTruthy();
    expect(screen.getByText(new RegExp(`${message.replace(/[$().]/g, '\\$&')} Nothing was charged.`))).toBeTruthy();
    expect(meterText()).toContain('You have sent $18.00');
  });
});

describe('gift caps beside the purchase limits', () => {
  it('show each cap and a pending raise, and save only what changed, in cents', async () => {
    const { calls } = renderWith(
      {
        'limits.set': () => ok({ limits: wallet.limits, giftLimits: { stream: 1500, daily: null }, pendingLimits: [] }),
      },
      <LimitsView wallet={wallet} onChanged={() => undefined} now={NOW} />,
    );
    expect(screen.getByText('Gift caps')).toBeTruthy();
    expect(screen.getByText(/You have sent \$3.00 in gifts in the last 24 hours/)).toBeTruthy();
    expect(screen.getByText('At most $20.00 to one creator during one live stream.')).toBeTruthy();
    expect(screen.getByText('No cap on what you send in gifts over any 24 hours.')).toBeTruthy();
    expect(screen.getByText(/Raising to \$50.00 takes effect .* \(in 20 h\)\./)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Cap in $ (empty = none)', { selector: 'input[name=gift-stream]' }), {
      target: { value: '15' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save gift caps' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({ type: 'limits.set', limits: { giftLimits: { stream: 1500 } } });
  });
});

describe('the monthly statement', () => {
  const statement = {
    month: '2026-12',
    from: Date.UTC(2026, 11, 1),
    to: Date.UTC(2027, 0, 1),
    purchases: { count: 2, coins: 1500, amount: usd(1500) },
    gifts: {
      count: 3,
      coins: 275,
      amount: usd(275),
      byCreator: [
        { handle: 'streamer', count: 2, coins: 260, amount: usd(260) },
        { handle: 'other', count: 1, coins: 15, amount: usd(15) },
      ],
    },
    refunds: { count: 1, coins: 500, amount: usd(500) },
    chargebacks: { count: 0, coins: 0, amount: usd(0) },
    sandbox: true,
  };

  it('shows purchases, gifts by creator and refunds for the chosen month, and downloads them as CSV', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (created.push(b), 'blob:statement'));
    URL.revokeObjectURL = vi.fn();
    const { calls } = renderWith(
      {
        'statement.get': (m) => ok({ statement: { ...statement, month: m.month } }),
        'statement.csv': (m) => ok({ csv: 'month,section\r\n', filename: `giftstream-statement-${m.month}.csv` }),
      },
      <StatementView now={NOW} />,
    );
    await screen.findByText(/December 2026/);
    const rows = [...document.querySelectorAll('.statement-table tbody tr')].map((r) => r.textContent);
    expect(rows).toEqual([
      'Coins bought21,500 coins$15.00',
      'Gifts sent3275 coins$2.75',
      'to @streamer2260 coins$2.60',
      'to @other115 coins$0.15',
      'Refunded to you1500 coins$5.00',
      'Reversed by your bank00 coins$0.00',
    ]);
    expect(screen.getByText(/Includes sandbox purchases/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Monthly statement/), { target: { value: '2026-11' } });
    await screen.findByText(/November 2026/);
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(await created[0]!.text()).toBe('month,section\r\n');
    expect(calls.map((c) => (c.type === 'statement.get' ? c.month : c.type))).toEqual([
      '2026-12',
      '2026-11',
      'statement.csv',
    ]);
  });
});

describe('receipts link the terms', () => {
  it('each purchase in the history shows its receipt and the terms of the server in use', async () => {
    renderWith(
      {
        'settings.get': () => ok({ server: 'https://gifts.example.com', defaultServer: 'http://localhost:8787' }),
        'history.list': () =>
          ok({
            offline: false,
            syncedAt: NOW,
            entries: [purchaseEntry(1000, { id: 'e1', ref: 'p1', at: NOW })],
          }),
      },
      <HistoryView now={NOW} balance={1000} />,
    );
    expect(await screen.findByText(/Receipt: paid \$10.00 \(sandbox\), rate card v1/)).toBeTruthy();
    const link = (await screen.findByRole('link', { name: 'terms' })) as HTMLAnchorElement;
    expect(link.href).toBe('https://gifts.example.com/terms');
  });
});
