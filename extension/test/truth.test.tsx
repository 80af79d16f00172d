// What the extension shows is current: live state follows the room, a waiting gift is followed to the end, a
// refund's balance reaches the header, and a sent gift is never shown beside a warning that contradicts it.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { catalog, DEFAULT_RATE_CARD, publicRates } from '@giftstream/shared';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../components/App';
import { GiftTab } from '../components/GiftTab';
import { PageGift } from '../components/PageGift';
import { AskContext } from '../components/ui';
import { earningsOf, err, giftPanel, ok, purchaseEntry, streamer, walletOf } from './helpers';

const NOW = Date.now();
const rates = publicRates([DEFAULT_RATE_CARD], NOW);
const gifts = catalog();
const creator = { ...streamer, live: false };
const resolved = { creator, channel: { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true } };

afterEach(() => vi.useRealTimers());

describe('1. the page panel follows the room', () => {
  it('turns from not live to live while open, without a reload, within 10 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let live = false;
    const calls: any[] = [];
    const ask = vi.fn(async (m: any) => {
      calls.push(m);
      if (m.type === 'page.state')
        return ok({ signedIn: true, adult: true, coins: 500, live, at: Date.now(), gifts, confirmThreshold: 1000 });
      return err('not_found');
    });
    render(
      <PageGift resolved={resolved} channelUrl="https://twitch.tv/streamer" ask={ask as any} trustedOnly={false} />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    expect(await screen.findByText('@streamer is not live right now')).toBeTruthy();
    expect(calls.find((c) => c.type === 'page.state')).toEqual({ type: 'page.state', handle: 'streamer' });
    live = true;
    await act(async () => void (await vi.advanceTimersByTimeAsync(10_000)));
    await waitFor(() => expect(screen.queryByText('@streamer is not live right now')).toBeNull());
    fireEvent.click(screen.getByRole('option', { name: /Heart/ }));
    expect((screen.getByRole('button', { name: 'Send $0.01' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says when it could not check for a while instead of showing an old answer as current', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let up = true;
    const ask = vi.fn(async (m: any) =>
      m.type === 'page.state'
        ? ok({
            signedIn: true,
            adult: true,
            coins: 500,
            live: up ? true : null,
            at: Date.now(),
            gifts,
            confirmThreshold: 1000,
          })
        : err('not_found'),
    );
    render(
      <PageGift resolved={resolved} channelUrl="https://twitch.tv/streamer" ask={ask as any} trustedOnly={false} />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    await screen.findByText(/You have 500 coins/);
    up = false;
    await act(async () => void (await vi.advanceTimersByTimeAsync(12_000)));
    expect(await screen.findByText(/Cannot reach Giftstream to check whether @streamer is live/)).toBeTruthy();
  });
});

describe('1. the popup gift tab follows the room too', () => {
  it('turns from not live to live while the popup is open, within 10 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let live = false;
    const ask = vi.fn(async (m: any) => {
      if (m.type === 'channel.resolve') return ok({ ...resolved, creator: { ...creator, live } });
      if (m.type === 'outbox.list') return ok([]);
      return err('not_found');
    });
    render(
      <AskContext.Provider value={ask as any}>
        <GiftTab
          tabUrl="https://twitch.tv/streamer"
          adult
          balance={500}
          gifts={gifts}
          confirmThreshold={1000}
          onSent={() => {}}
        />
      </AskContext.Provider>,
    );
    expect(await screen.findByText('@streamer is not live right now')).toBeTruthy();
    live = true;
    await act(async () => void (await vi.advanceTimersByTimeAsync(10_000)));
    await waitFor(() => expect(screen.queryByText('@streamer is not live right now')).toBeNull());
  });
});

describe('2. a gift on its way is followed to the end', () => {
  it('turns the connection warning into Sent once the server answers, and blocks a second send meanwhile', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let status: 'pending' | 'sent' = 'pending';
    const body = { giftId: 'heart', count: 1, anonymous: false };
    const view = () => ({
      key: 'k-000001',
      handle: 'streamer',
      body,
      status,
      attempts: 2,
      createdAt: NOW,
      ...(status === 'sent'
        ? {
            result: {
              gift: { id: 'T1', giftId: 'heart', count: 1, coins: 1, combo: { id: 'T1', count: 1 } },
              wallet: { coins: 499 },
            },
          }
        : {}),
    });
    const onSend = vi.fn(async () => ok(view()));
    const onFollow = vi.fn(async () => ok(view()));
    render(giftPanel({ balance: 500, where: 'page', onSend: onSend as any, onFollow: onFollow as any }));
    fireEvent.click(screen.getByRole('option', { name: /Heart/ }));
    fireEvent.input(screen.getByRole('textbox'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.01' }));
    expect(await screen.findByText(/Connection trouble/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send $0.01' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/still on its way/)).toBeTruthy();
    status = 'sent';
    await act(async () => void (await vi.advanceTimersByTimeAsync(5_000)));
    expect(await screen.findByText(/Sent Heart ×1 to @streamer/)).toBeTruthy();
    expect(screen.queryByText(/Connection trouble/)).toBeNull();
    expect((screen.getByRole('textbox') as HTMLInputElement).value).toBe('');
    expect(onSend).toHaveBeenCalledTimes(1);
  });
});

describe('3. a refund reaches the balance at once', () => {
  it('updates the header after refunding in History, from the reply', async () => {
    let coins = 5334;
    const purchase = {
      id: 'E1',
      kind: 'purchase',
      coins: 5250,
      diamonds: 0,
      value: { amount: 5250, currency: 'USD' },
      counterparty: null,
      rateVersion: 1,
      at: Date.now() - 1000,
      ref: 'P1',
      receipt: { status: 'completed', sandbox: true },
    };
    const handlers: Record<string, (m: any) => unknown> = {
      'session.get': () =>
        ok({ server: 'http://localhost:8787', user: { id: 'u1', displayName: 'Viewer', adult: true } }),
      'catalog.get': () => ok({ gifts, rates }),
      'wallet.get': () => ok({ wallet: walletOf(coins), offline: false, at: Date.now() }),
      'me.get': () =>
        ok({
          user: { id: 'u1', displayName: 'Viewer', adult: true },
          wallet: { coins, diamonds: 0, debt: 0 },
          creator: null,
        }),
      'history.list': () => ok({ entries: [purchase], offline: false, syncedAt: Date.now() }),
      'purchase.refund': () => {
        // The reply carries the new balance; the server's wallet answers it too, but later.
        const reply = ok({
          purchase: {
            id: 'P1',
            status: 'refunded',
            coins: 5250,
            price: { amount: 5250, currency: 'USD' },
            sandbox: true,
          },
          wallet: { coins: 84 },
          refund: { id: 'R1', coins: 5250, amount: { amount: 5250, currency: 'USD' }, status: 'succeeded' },
        });
        coins = 84;
        return reply;
      },
    };
    const ask = vi.fn(async (m: any) => (handlers[m.type] ? handlers[m.type]!(m) : err('not_found')));
    const { container } = render(
      <AskContext.Provider value={ask as any}>
        <App tabUrl={null} initialTab="history" />
      </AskContext.Provider>,
    );
    await waitFor(() => expect(container.querySelector('header .pill')?.textContent).toBe('5,334 coins'));
    fireEvent.click(await screen.findByRole('button', { name: 'Refund unspent coins' }));
    fireEvent.click(screen.getByRole('button', { name: 'Refund' }));
    await waitFor(() => expect(container.querySelector('header .pill')?.textContent).toBe('84 coins'));
  });
});

describe('5. a sent gift is not shown beside a warning it contradicts', () => {
  it('after a confirmed $10 gift that spent the balance, shows Sent and no Not enough coins', async () => {
    function Harness() {
      const [balance, setBalance] = useState(1000);
      return giftPanel({
        balance,
        where: 'page',
        onSend: async (body) =>
          ok({
            key: 'k-000002',
            handle: 'streamer',
            body,
            status: 'sent' as const,
            attempts: 1,
            createdAt: NOW,
            result: {
              gift: {
                id: 'T1',
                giftId: body.giftId,
                count: body.count,
                coins: 1000,
                anonymous: false,
                combo: { id: 'T1', count: 1 },
              },
              wallet: { coins: 0 },
            },
          }),
        onSent: (v) => v.result && setBalance(v.result.wallet.coins),
      });
    }
    render(<Harness />);
    const ten = gifts.find((g) => g.coins === 1000)!;
    fireEvent.click(screen.getByRole('option', { name: new RegExp(ten.name) }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $10.00' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, send $10.00' }));
    expect(await screen.findByText(new RegExp(`Sent ${ten.name} ×1 to @streamer`))).toBeTruthy();
    expect(screen.queryByText('Not enough coins')).toBeNull();
  });
});

describe('6, 7, 8. the creator side', () => {
  const earnings = earningsOf(99_999_990, 69_999_993);
  const creatorMe = streamer;
  const handlers: Record<string, (m: any) => unknown> = {
    'session.get': () =>
      ok({ server: 'http://localhost:8787', user: { id: 'u1', displayName: 'Streamer', adult: true } }),
    'catalog.get': () => ok({ gifts, rates }),
    'wallet.get': () => ok({ wallet: walletOf(0), offline: false, at: Date.now() }),
    'me.get': () =>
      ok({
        user: { id: 'u1', displayName: 'Streamer', adult: true },
        wallet: { coins: 0, diamonds: 99_999_990, debt: 0 },
        creator: creatorMe,
      }),
    'room.get': () =>
      ok({
        room: {
          handle: 'streamer',
          displayName: 'Streamer',
          live: { live: true, title: null, sessionId: 'S1', startedAt: NOW },
          goal: null,
          leaderboard: [],
        },
      }),
    'creator.earnings': () => ok(earnings),
    'creator.payouts': () => ok({ payouts: [] }),
    'creator.overlay': (m) =>
      ok({
        token: m.rotate ? 't2' : 't1',
        overlayUrl: `http://localhost:8787/overlay/?room=streamer&token=${m.rotate ? 't2' : 't1'}`,
      }),
    'creator.moderation': () => ok({ blockedWords: [], hidden: [] }),
    'creator.payoutAccount': () =>
      ok({
        account: {
          mode: 'sandbox',
          state: 'none',
          detailsSubmitted: false,
          chargesEnabled: false,
          payoutsEnabled: false,
          autoApprove: { amount: 0, currency: 'USD' },
        },
      }),
    'creator.connectSites': () => ok({ sites: [] }),
  };
  function renderApp() {
    const calls: any[] = [];
    const ask = vi.fn(async (m: any) => {
      calls.push(m);
      return handlers[m.type] ? handlers[m.type]!(m) : err('not_found');
    });
    const r = render(
      <AskContext.Provider value={ask as any}>
        <App tabUrl={null} />
      </AskContext.Provider>,
    );
    return { ...r, calls };
  }

  it('8. a creator signs in to their creator home, listed first, not to a wallet of 0 coins', async () => {
    renderApp();
    expect(await screen.findByTestId('earnings')).toBeTruthy();
    expect(screen.queryByTestId('balance')).toBeNull();
    expect(screen.getAllByRole('tab')[0]!.textContent).toBe('Creator');
    expect(screen.getByRole('tab', { name: 'Creator' }).getAttribute('aria-selected')).toBe('true');
  });

  it('the open creator home shows new earnings within 10 s, without reopening', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const before = handlers['creator.earnings']!;
    let value = 69_999_993;
    handlers['creator.earnings'] = () => ok({ ...earnings, value: { amount: value, currency: 'USD' } });
    try {
      renderApp();
      expect(await screen.findByText('$699,999.93')).toBeTruthy();
      value = 70_000_000;
      await act(async () => void (await vi.advanceTimersByTimeAsync(10_000)));
      expect(await screen.findByText('$700,000.00')).toBeTruthy();
    } finally {
      handlers['creator.earnings'] = before;
    }
  });

  it('6. rotating the overlay URL asks first, and Keep leaves it alone', async () => {
    const { calls } = renderApp();
    fireEvent.click(await screen.findByRole('button', { name: /^Rotate URL/ }));
    expect(calls.some((c) => c.type === 'creator.overlay' && c.rotate)).toBe(false);
    expect(screen.getByRole('alertdialog', { name: /Confirm rotating/ }).textContent).toContain(
      'stops the current one at once',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Keep the current URL' }));
    expect(calls.some((c) => c.type === 'creator.overlay' && c.rotate)).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: /^Rotate URL/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Rotate and stop the old URL' }));
    await waitFor(() => expect(calls.some((c) => c.type === 'creator.overlay' && c.rotate)).toBe(true));
  });

  it('7. the payout form says why its button is greyed out, and money has thousands separators', async () => {
    renderApp();
    expect(await screen.findByText('$699,999.93')).toBeTruthy();
    const input = await screen.findByLabelText(/Diamonds \(steps of 10\)/);
    const button = () => screen.getByRole('button', { name: /^Request/ }) as HTMLButtonElement;
    fireEvent.input(input, { target: { value: '1435' } });
    expect(button().disabled).toBe(true);
    expect(screen.getByText('Payouts go in steps of 10 diamonds: try 1,430.')).toBeTruthy();
    fireEvent.input(input, { target: { value: '100' } });
    expect(
      screen.getByText(/The minimum is 1,430 diamonds \(\$10.01\)|The minimum is [\d,]+ diamonds \(\$10\.\d\d\)/),
    ).toBeTruthy();
    fireEvent.input(input, { target: { value: '100000000' } });
    expect(screen.getByText('You have 99,999,990 diamonds ($699,999.93).')).toBeTruthy();
    fireEvent.input(input, { target: { value: '99999990' } });
    expect(button().disabled).toBe(false);
    expect(button().textContent).toBe('Request $699,999.93');
  });
});

describe('9. smaller truths', () => {
  it('History labels sandbox purchases', async () => {
    const entry = purchaseEntry(500);
    const ask = vi.fn(async (m: any) =>
      m.type === 'history.list' ? ok({ entries: [entry], offline: false, syncedAt: Date.now() }) : err('not_found'),
    );
    const { HistoryView } = await import('../components/HistoryView');
    render(
      <AskContext.Provider value={ask as any}>
        <HistoryView />
      </AskContext.Provider>,
    );
    expect(await screen.findByText('sandbox')).toBeTruthy();
  });

  it('the age gate promises nothing that does not exist, and input errors are not "Something went wrong"', async () => {
    const { explain } = await import('../lib/explain');
    expect(explain({ code: 'age_restricted', message: '' }).detail).not.toMatch(/follow/i);
    const e = explain({
      code: 'invalid_request',
      message: 'Display name must have a visible character.',
      field: 'displayName',
    });
    expect(e.title).toBe('Check the display name');
    expect(e.detail).toBe('Display name must have a visible character.');
  });
});

describe('4 (follow-up). a refund is offered only when coins are left to return', () => {
  it('offers no refund of a partly refunded purchase once the wallet holds no coins', async () => {
    const entry = purchaseEntry(1000, { status: 'partially_refunded' });
    const ask = vi.fn(async (m: any) =>
      m.type === 'history.list' ? ok({ entries: [entry], offline: false, syncedAt: Date.now() }) : err('not_found'),
    );
    const { HistoryView } = await import('../components/HistoryView');
    const { rerender } = render(
      <AskContext.Provider value={ask as any}>
        <HistoryView balance={0} />
      </AskContext.Provider>,
    );
    await screen.findByText('Bought coins');
    expect(screen.queryByRole('button', { name: 'Refund unspent coins' })).toBeNull();
    rerender(
      <AskContext.Provider value={ask as any}>
        <HistoryView balance={5} />
      </AskContext.Provider>,
    );
    expect(await screen.findByRole('button', { name: 'Refund unspent coins' })).toBeTruthy();
  });
});
