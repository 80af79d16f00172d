import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { catalog, DEFAULT_RATE_CARD, publicRates } from '@giftstream/shared';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../components/App';
import { CreatorView } from '../components/CreatorView';
import { HistoryView } from '../components/HistoryView';
import { LimitsView } from '../components/LimitsView';
import { PageGift } from '../components/PageGift';
import { SettingsView } from '../components/SettingsView';
import { AskContext } from '../components/ui';
import type { Wallet } from '../lib/api';
import { earningsOf, err, fakeAsk, giftPanel, type Handlers, ok, purchaseEntry, renderWith, streamer } from './helpers';

const NOW = 1_800_000_000_000;
const rates = publicRates([DEFAULT_RATE_CARD], NOW);
const gifts = catalog();
const wallet: Wallet = {
  coins: 1000,
  diamonds: 0,
  debt: 0,
  value: { amount: 1000, currency: 'USD' },
  diamondsPending: 0,
  limits: { daily: 5000, weekly: null, monthly: null },
  pendingLimits: [{ period: 'daily', amount: 10000, effectiveAt: NOW + 23 * 3_600_000 }],
  purchased: { day: 1250, week: 1250, month: 4000 },
  gifted: { day: 0, week: 0, month: 0 },
  giftLimits: { stream: null, daily: null },
  giftSpent: { day: 0 },
};
const viewer = { server: 'http://localhost:8787', user: { id: 'u1', displayName: 'Viewer', adult: true } };
const creator = streamer;

function signedInHandlers(extra: Handlers = {}): Handlers {
  return {
    'session.get': () => ok(viewer),
    'catalog.get': () => ok({ gifts, rates }),
    'wallet.get': () => ok({ wallet, offline: false, at: NOW }),
    'me.get': () => ok({ user: viewer.user, wallet: { coins: 1000, diamonds: 0, debt: 0 }, creator: null }),
    ...extra,
  };
}

describe('popup: signed out', () => {
  it('signs in, and explains a wrong password', async () => {
    const f = renderWith(
      {
        'session.get': () => ok(null),
        'catalog.get': () => ok({ gifts, rates }),
        'session.signIn': () => err('invalid_credentials', 'Email or password is wrong.'),
      },
      <App tabUrl={null} />,
    );
    await screen.findByRole('form', { name: 'Sign in' });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'a@b.co' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Sign in' }));
    expect(await screen.findByText('Wrong email or password')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'session.signIn')).toEqual({
      type: 'session.signIn',
      email: 'a@b.co',
      password: 'pw',
    });
  });

  it('creates an account with a birthdate', async () => {
    const f = renderWith(
      {
        'session.get': () => ok(null),
        'catalog.get': () => ok({ gifts, rates }),
        'session.signUp': () => err('email_taken'),
      },
      <App tabUrl={null} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Create account' }));
    const form = screen.getByRole('form', { name: 'Create account' });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'new@b.co' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'long enough' } });
    fireEvent.input(screen.getByLabelText('Display name'), { target: { value: 'Newbie' } });
    fireEvent.input(screen.getByLabelText('Birthdate'), { target: { value: '1990-05-01' } });
    expect(screen.getByText(/18 or older/)).toBeTruthy();
    fireEvent.submit(form);
    expect(await screen.findByText('That email already has an account')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'session.signUp')).toMatchObject({
      birthdate: '1990-05-01',
      displayName: 'Newbie',
    });
  });
});

describe('popup: wallet', () => {
  it('shows the balance in coins and money, and the rate card in plain words', async () => {
    renderWith(signedInHandlers(), <App tabUrl={null} />);
    expect((await screen.findByTestId('balance')).textContent).toBe('1,000 coins');
    expect(screen.getByText('worth $10.00')).toBeTruthy();
    expect(screen.getByText('1 coin = $0.01; creators receive 70% of what you pay.')).toBeTruthy();
    expect(screen.getByRole('button', { name: /2,500 coins\s*\$25.00/ })).toBeTruthy();
  });

  it('buys a pack with one key per intent: the same key on a retry, a new one after an answer', async () => {
    let n = 0;
    const f = renderWith(
      signedInHandlers({
        'wallet.buy': (m) =>
          ++n === 1
            ? err('network')
            : ok({
                purchase: {
                  id: 'P1',
                  status: 'completed',
                  coins: m.purchase.packId ? 500 : m.purchase.coins,
                  price: { amount: 500, currency: 'USD' },
                  sandbox: true,
                },
                wallet: { coins: 1500 },
                checkoutOpened: false,
              }),
      }),
      <App tabUrl={null} />,
    );
    const pack = await screen.findByRole('button', { name: /^500 coins/ });
    fireEvent.click(pack);
    expect(await screen.findByText('No connection')).toBeTruthy();
    fireEvent.click(pack);
    expect(await screen.findByText(/Bought 500 coins for \$5.00 \(sandbox/)).toBeTruthy();
    const buys = f.calls.filter((c) => c.type === 'wallet.buy');
    expect(buys[0].key).toBe(buys[1].key);
    fireEvent.input(screen.getByLabelText(/Custom amount/), { target: { value: '1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Buy for $12.34' }));
    await waitFor(() => expect(f.calls.filter((c) => c.type === 'wallet.buy')).toHaveLength(3));
    const third = f.calls.filter((c) => c.type === 'wallet.buy')[2];
    expect(third.purchase).toEqual({ coins: 1234 });
    expect(third.key).not.toBe(buys[0].key);
  });

  it("links the server's terms before anyone pays", async () => {
    renderWith(
      signedInHandlers({
        'settings.get': () => ok({ server: 'https://gifts.example.com', defaultServer: 'https://gifts.example.com' }),
      }),
      <App tabUrl={null} />,
    );
    const link = await screen.findByRole('link', { name: 'terms' });
    expect(link.getAttribute('href')).toBe('https://gifts.example.com/terms');
    expect(link.closest('p')!.textContent).toContain('refunds within 14 days');
  });

  it('explains a spending limit and a Stripe checkout in progress', async () => {
    let n = 0;
    renderWith(
      signedInHandlers({
        'wallet.buy': () =>
          ++n === 1
            ? err('spending_limit')
            : ok({
                purchase: {
                  id: 'P2',
                  status: 'pending',
                  coins: 100,
                  price: { amount: 100, currency: 'USD' },
                  sandbox: false,
                  checkoutUrl: 'https://checkout.stripe.com/x',
                },
                wallet: { coins: 1000 },
                checkoutOpened: true,
              }),
      }),
      <App tabUrl={null} />,
    );
    const pack = await screen.findByRole('button', { name: /^100 coins/ });
    fireEvent.click(pack);
    expect(await screen.findByText('Spending limit reached')).toBeTruthy();
    expect(screen.getByText(/raising a limit takes effect after 24 hours/)).toBeTruthy();
    fireEvent.click(pack);
    expect(await screen.findByText(/Finish paying in the Checkout tab/)).toBeTruthy();
  });

  it('says when the balance shown is from before going offline', async () => {
    renderWith(signedInHandlers({ 'wallet.get': () => ok({ wallet, offline: true, at: NOW }) }), <App tabUrl={null} />);
    expect(await screen.findByText(/Offline: showing your balance as of/)).toBeTruthy();
  });
});

describe('popup: gifting', () => {
  const resolved = { creator, channel: { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true } };

  it('asks for a stream page when the current tab has no claimed channel, and lists gifts still on their way', async () => {
    renderWith(
      signedInHandlers({
        'channel.resolve': () => ok(null),
        'outbox.list': () =>
          ok([
            {
              key: 'k1',
              handle: 'streamer',
              body: { giftId: 'rose', count: 3, anonymous: false },
              status: 'pending',
              attempts: 2,
              createdAt: NOW,
            },
          ]),
      }),
      <App tabUrl="https://example.com" initialTab="gift" />,
    );
    expect(await screen.findByText(/Open a stream on Twitch, YouTube, Kick or TikTok/)).toBeTruthy();
    expect(await screen.findByText('Gifts on their way')).toBeTruthy();
    expect(screen.getByText(/Rose ×3 to @streamer/)).toBeTruthy();
  });

  it('shows each gift with art, coins and money, and sends count, message and the anonymous flag', async () => {
    const f = renderWith(
      signedInHandlers({
        'channel.resolve': () => ok(resolved),
        'gift.send': (m) =>
          ok({
            key: 'k',
            handle: m.handle,
            body: m.gift,
            status: 'sent',
            attempts: 0,
            createdAt: NOW,
            result: { gift: {}, wallet: { coins: 990 } },
          }),
      }),
      <App tabUrl="https://www.twitch.tv/streamer" initialTab="gift" />,
    );
    const rose = await screen.findByRole('option', { name: /Rose\s*5 coins\s*\$0.05/ });
    // The same art as the overlay shows on stream, one drawing per gift.
    expect(rose.querySelector('svg')?.getAttribute('data-art')).toBe('rose');
    expect(screen.getAllByRole('option')).toHaveLength(gifts.length);
    for (const option of screen.getAllByRole('option'))
      expect(option.querySelector('svg')?.getAttribute('data-art')).toBe(option.getAttribute('data-gift'));
    expect(screen.getByText('✓ verified')).toBeTruthy();
    fireEvent.click(rose);
    fireEvent.input(screen.getByLabelText('Count'), { target: { value: '2' } });
    fireEvent.input(screen.getByLabelText('Message (optional)'), { target: { value: 'gg <b>wp</b>' } });
    fireEvent.click(screen.getByLabelText('Send anonymously'));
    expect(screen.getByText(/Rose ×2 =/).textContent).toBe('Rose ×2 = 10 coins ($0.10)');
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.10' }));
    expect(await screen.findByText(/Sent Rose ×2 to @streamer. You have 990 coins left./)).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'gift.send')).toEqual({
      type: 'gift.send',
      handle: 'streamer',
      gift: { giftId: 'rose', count: 2, anonymous: true, message: 'gg <b>wp</b>' },
    });
  });

  it('asks for an explicit confirmation at or above the threshold', async () => {
    const send = vi.fn(async (body: any) =>
      ok({
        key: 'k',
        handle: 'streamer',
        body,
        status: 'sent' as const,
        attempts: 0,
        createdAt: NOW,
        result: { gift: {} as any, wallet: { coins: 0 } },
      }),
    );
    render(giftPanel({ onSend: send }));
    fireEvent.click(screen.getByRole('option', { name: /Fireworks/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $10.00' }));
    expect(send).not.toHaveBeenCalled();
    expect(screen.getByRole('alertdialog').textContent).toContain(
      'Send Fireworks ×1 to @streamer for 1,000 coins ($10.00)?',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $10.00' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, send $10.00' }));
    await waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    // below the threshold: one click
    fireEvent.click(screen.getByRole('option', { name: /Trophy/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $2.50' }));
    await waitFor(() => expect(send).toHaveBeenCalledTimes(2));
  });

  it('explains not live, not enough coins and under 18 before anything is sent', () => {
    const send = vi.fn();
    const { unmount } = render(
      giftPanel({ creator: { ...creator, live: false }, verified: false, balance: 5, where: 'page', onSend: send }),
    );
    expect(screen.getByText('@streamer is not live right now')).toBeTruthy();
    expect(screen.getByText('unverified claim')).toBeTruthy();
    fireEvent.click(screen.getByRole('option', { name: /Coffee/ }));
    expect(screen.getByText('Not enough coins')).toBeTruthy();
    expect(screen.getByText(/Buy coins from the Giftstream button in your browser toolbar/)).toBeTruthy();
    expect((screen.getByRole('button', { name: /^Send/ }) as HTMLButtonElement).disabled).toBe(true);
    unmount();
    render(giftPanel({ adult: false, where: 'page', onSend: send }));
    expect(screen.getByText('Only for adults')).toBeTruthy();
    expect(screen.queryByRole('option')).toBeNull();
  });

  it('explains a refusal from the server, and a gift waiting for the network', async () => {
    let n = 0;
    const send = vi.fn(async (body: any) =>
      ++n === 1
        ? err('spending_limit')
        : ok({ key: 'k', handle: 'streamer', body, status: 'pending' as const, attempts: 1, createdAt: NOW }),
    );
    render(giftPanel({ onSend: send as any }));
    fireEvent.click(screen.getByRole('option', { name: /Heart/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.01' }));
    expect(await screen.findByText('Spending limit reached')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send $0.01' }));
    expect(await screen.findByText(/will be sent exactly once/)).toBeTruthy();
  });

  it('shows what people typed as text, never as HTML', () => {
    const evil = { ...creator, displayName: '<img src=x onerror="window.hacked=1">' };
    const { container } = render(giftPanel({ creator: evil, balance: 100 }));
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="window.hacked=1">');
  });

  it('on a stream page, ignores clicks the page synthesised', async () => {
    const f = fakeAsk({
      'page.state': () => ok({ signedIn: true, adult: true, coins: 100, gifts, confirmThreshold: 1000 }),
    });
    const { unmount } = render(
      <PageGift
        resolved={{ creator, channel: { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true } }}
        channelUrl="https://twitch.tv/streamer"
        ask={f.ask}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    expect(screen.queryByRole('dialog')).toBeNull();
    unmount();
    render(
      <PageGift
        resolved={{ creator, channel: { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true } }}
        channelUrl="https://twitch.tv/streamer"
        ask={f.ask}
        trustedOnly={false}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /Gift/ }));
    expect(await screen.findByRole('dialog')).toBeTruthy();
    expect(await screen.findByText('You have 100 coins ($1.00).')).toBeTruthy();
  });
});

describe('popup: limits and history', () => {
  it('shows spending so far in money and a pending raise with its delay, and saves in cents', async () => {
    const f = renderWith(
      { 'limits.set': () => ok({ limits: wallet.limits, pendingLimits: [] }) },
      <LimitsView wallet={wallet} onChanged={() => undefined} now={NOW} />,
    );
    expect(screen.getByText('Spent $12.50 in the last 24 hours of your $50.00 limit.')).toBeTruthy();
    expect(screen.getByText('Spent $40.00 in the last 30 days (no limit).')).toBeTruthy();
    expect(screen.getByText(/Raising to \$100.00 takes effect .* \(in 23 h\)\./)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Limit in $ (empty = none)', { selector: 'input[name=weekly]' }), {
      target: { value: '25.5' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    await screen.findByText('Saved.');
    expect(f.calls[0]).toEqual({ type: 'limits.set', limits: { weekly: 2550 } });
  });

  it('lists history offline, and refunds a recent purchase', async () => {
    const entries = [
      {
        id: 'E2',
        kind: 'gift',
        coins: -10,
        diamonds: 0,
        value: { amount: -10, currency: 'USD' },
        counterparty: 'streamer',
        ref: null,
        rateVersion: 1,
        at: NOW - 1000,
      },
      {
        id: 'E1',
        kind: 'purchase',
        coins: 1000,
        diamonds: 0,
        value: { amount: 1000, currency: 'USD' },
        counterparty: null,
        ref: 'P1',
        rateVersion: 1,
        at: NOW - 2000,
      },
    ];
    const refund = () =>
      ok({
        purchase: {},
        wallet: { coins: 10 },
        refund: { id: 'R1', coins: 990, amount: { amount: 990, currency: 'USD' }, status: 'succeeded' },
      });
    const first = fakeAsk({ 'history.list': () => ok({ entries, offline: true, syncedAt: NOW - 60_000 }) });
    const { unmount } = render(
      <AskContext.Provider value={first.ask}>
        <HistoryView now={NOW} />
      </AskContext.Provider>,
    );
    expect(await screen.findByText(/Offline: showing history saved at/)).toBeTruthy();
    expect(screen.getByText('Gift to @streamer')).toBeTruthy();
    expect(screen.getByText('-10 coins')).toBeTruthy();
    expect(screen.queryByText('Refund unspent coins')).toBeNull();
    unmount();
    const f = renderWith(
      { 'history.list': () => ok({ entries, offline: false, syncedAt: NOW }), 'purchase.refund': refund },
      <HistoryView now={NOW} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Refund unspent coins' }));
    fireEvent.click(screen.getByRole('button', { name: 'Refund' }));
    expect(await screen.findByText('Refunded 990 coins ($9.90).')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'purchase.refund')).toMatchObject({ id: 'P1' });
  });

  it('says a Stripe refund is on its way, not an error, and offers no second refund while it is', async () => {
    const purchase = (status: string) =>
      purchaseEntry(1000, { at: NOW - 2000, status, sandbox: false, paymentRef: 'pi_1' });
    let status = 'completed';
    const f = renderWith(
      {
        'history.list': () => ok({ entries: [purchase(status)], offline: false, syncedAt: NOW }),
        'purchase.refund': () => {
          status = 'refund_pending';
          return ok({
            purchase: { status },
            wallet: { coins: 0 },
            refund: { id: 'R1', coins: 1000, amount: { amount: 1000, currency: 'USD' }, status: 'pending' },
          });
        },
      },
      <HistoryView now={NOW} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Refund unspent coins' }));
    fireEvent.click(screen.getByRole('button', { name: 'Refund' }));
    expect(await screen.findByText(/^Refund on its way: 1,000 coins \(\$10\.00\) have left your wallet/)).toBeTruthy();
    expect(await screen.findByText('Refund on its way: waiting for the payment provider to confirm.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Refund unspent coins' })).toBeNull();
    expect(document.querySelector('.error, [role="alert"]')).toBeNull();
    // Once refunded, a purchase offers no refund either.
    status = 'refunded';
    cleanup();
    renderWith(
      { 'history.list': () => ok({ entries: [purchase(status)], offline: false, syncedAt: NOW }) },
      <HistoryView now={NOW} />,
    );
    expect(await screen.findByText('Bought coins')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Refund unspent coins' })).toBeNull();
    expect(f.calls.filter((c) => c.type === 'purchase.refund')).toHaveLength(1);
  });
});

const sandboxAccount = {
  mode: 'sandbox' as const,
  state: 'none' as const,
  detailsSubmitted: false,
  chargesEnabled: false,
  payoutsEnabled: false,
  autoApprove: { amount: 0, currency: 'USD' as const },
};

describe('popup: creator', () => {
  const earnings = {
    diamonds: 2000,
    value: { amount: 1400, currency: 'USD' as const },
    pendingPayouts: { diamonds: 0, amount: { amount: 0, currency: 'USD' as const } },
    sessions: [
      {
        id: 'S2',
        title: 'Synth night',
        startedAt: NOW - 3_600_000,
        endedAt: null,
        coins: 1500,
        diamonds: 1500,
        gifts: 12,
        value: { amount: 1050, currency: 'USD' as const },
      },
      {
        id: 'S1',
        title: null,
        startedAt: NOW - 90_000_000,
        endedAt: NOW - 80_000_000,
        coins: 500,
        diamonds: 500,
        gifts: 3,
        value: { amount: 350, currency: 'USD' as const },
      },
    ],
    topSupporters: [{ name: 'Viewer', coins: 1500 }],
  };
  const handlers = (extra: Handlers = {}): Handlers => ({
    'room.get': () =>
      ok({
        room: {
          handle: 'streamer',
          displayName: 'Streamer',
          live: { live: true, title: 'Synth night', sessionId: 'S2', startedAt: NOW },
          goal: { label: 'New mic', target: 5000, progress: 1500 },
          leaderboard: [],
        },
      }),
    'creator.earnings': () => ok(earnings),
    'creator.payouts': () =>
      ok({
        payouts: [
          {
            id: 'PO1',
            diamonds: 1430,
            amount: { amount: 1001, currency: 'USD' },
            status: 'requested',
            destination: '••••1234',
            createdAt: NOW - 5000,
            decidedAt: null,
            reference: null,
          },
        ],
      }),
    'creator.overlay': (m) =>
      ok({
        token: m.rotate ? 't2' : 't1',
        overlayUrl: `http://localhost:8787/overlay/?room=streamer&token=${m.rotate ? 't2' : 't1'}`,
      }),
    'creator.live': () => ok({ live: { live: false, title: null, sessionId: null, startedAt: null } }),
    'creator.testAlert': () => ok(null),
    'creator.requestPayout': () =>
      ok({ payout: { id: 'PO2', diamonds: 2000, amount: { amount: 1400, currency: 'USD' }, status: 'requested' } }),
    'creator.moderation': () => ok({ blockedWords: [], hidden: [] }),
    'creator.payoutAccount': () => ok({ account: sandboxAccount }),
    ...extra,
  });

  it('shows live state, goal, overlay URL, earnings per stream, supporters and payouts', async () => {
    const f = renderWith(handlers(), <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />);
    expect((await screen.findByTestId('earnings')).textContent).toBe('$14.00');
    expect(screen.getByText('LIVE')).toBeTruthy();
    expect(screen.getByText(/New mic: 1,500 coins of 5,000 coins/)).toBeTruthy();
    expect((screen.getByLabelText('Overlay URL') as HTMLInputElement).value).toBe(
      'http://localhost:8787/overlay/?room=streamer&token=t1',
    );
    expect(screen.getByRole('img', { name: 'Earnings per stream' }).querySelectorAll('rect')).toHaveLength(2);
    expect(screen.getAllByRole('row')).toHaveLength(3);
    expect(screen.getByText(/Synth night/, { selector: 'td' })).toBeTruthy();
    expect(screen.getByText('$10.50')).toBeTruthy();
    expect(screen.getByText(/2,000 diamonds; 1 diamond = 7\/10 of a cent/)).toBeTruthy();
    expect(screen.getByText('Viewer')).toBeTruthy();
    expect(screen.getByText(/\$10.01 to ••••1234/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Test alert' }));
    expect(await screen.findByText('Test alert sent to your overlay.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Rotate URL…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Rotate and stop the old URL' }));
    await waitFor(() => expect(f.calls.some((c) => c.type === 'creator.overlay' && c.rotate)).toBe(true));
    fireEvent.click(screen.getByRole('button', { name: 'End stream' }));
    await waitFor(() => expect(f.calls.some((c) => c.type === 'creator.live' && c.live === false)).toBe(true));
  });

  it('tells a claimant whose channel is not verified that its page has no gifts yet, and how to prove it', async () => {
    const claimant = {
      ...creator,
      channels: [
        { url: 'https://twitch.tv/streamer', site: 'twitch', verified: true },
        { url: 'https://kick.com/streamer', site: 'kick', verified: false },
      ],
    };
    renderWith(handlers(), <CreatorView creator={claimant} rates={rates} onChanged={() => undefined} />);
    expect(await screen.findByText('https://kick.com/streamer')).toBeTruthy();
    expect(
      screen.getByText(
        'Not verified yet: gifts on this page are off until the channel is proven. Ask the operator of this Giftstream to verify it.',
      ),
    ).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Your verified channels' }).textContent).toBe(
      'https://twitch.tv/streamer ✓ verified',
    );
  });

  it('says nothing about proof when every channel is verified', async () => {
    renderWith(handlers(), <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />);
    await screen.findByTestId('earnings');
    expect(screen.queryByText(/Not verified yet/)).toBeNull();
  });

  it("on the claimant's own unverified page, the gift tab explains instead of offering a gift", async () => {
    const claimant = {
      ...creator,
      handle: 'squatter',
      channels: [{ url: 'https://twitch.tv/famous', site: 'twitch', verified: false }],
    };
    const f = renderWith(
      signedInHandlers({
        'channel.resolve': () => ok(null),
        'me.get': () => ok({ user: viewer.user, wallet: { coins: 1000, diamonds: 0, debt: 0 }, creator: claimant }),
        'outbox.list': () => ok([]),
      }),
      <App tabUrl="https://www.twitch.tv/famous" initialTab="gift" />,
    );
    expect(
      await screen.findByText(/Not verified yet: gifts on this page are off until the channel is proven/),
    ).toBeTruthy();
    expect(screen.queryByRole('option')).toBeNull();
    expect(f.calls.some((c) => c.type === 'gift.send')).toBe(false);
  });

  it('requests a payout in whole steps of diamonds, shown in money', async () => {
    const f = renderWith(handlers(), <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />);
    const button = await screen.findByRole('button', { name: 'Request $14.00' });
    fireEvent.input(screen.getByLabelText('Diamonds (steps of 10)'), { target: { value: '1435' } });
    expect((screen.getByRole('button', { name: /^Request/ }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Diamonds (steps of 10)'), { target: { value: '2000' } });
    fireEvent.input(screen.getByLabelText(/Pay to/), { target: { value: 'DE89 3704 0044 0532 0130 00' } });
    fireEvent.submit(button.closest('form')!);
    expect(await screen.findByText(/Payout of \$14.00 requested/)).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'creator.requestPayout').payout).toEqual({
      diamonds: 2000,
      destination: 'DE89 3704 0044 0532 0130 00',
    });
  });

  it('keeps the confirmation of a payout of everything, once what is left is below the minimum', async () => {
    let paid = false;
    const left = { ...earnings, diamonds: 0, value: { amount: 0, currency: 'USD' as const } };
    renderWith(
      handlers({
        'creator.earnings': () => ok(paid ? left : earnings),
        'creator.requestPayout': () => {
          paid = true;
          return ok({
            payout: { id: 'PO2', diamonds: 2000, amount: { amount: 1400, currency: 'USD' }, status: 'requested' },
          });
        },
      }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    const button = await screen.findByRole('button', { name: 'Request $14.00' });
    fireEvent.input(screen.getByLabelText(/Pay to/), { target: { value: 'creator@example.com' } });
    fireEvent.submit(button.closest('form')!);
    expect(await screen.findByText(/Payouts start at \$10.00/)).toBeTruthy();
    expect(screen.getByText(/Payout of \$14.00 requested/)).toBeTruthy();
  });

  it('edits the blocked words: add with commas or Enter, remove, save; shows what they hid as text', async () => {
    const payload = '<img src=x onerror="window.hacked=1">';
    const hidden = [
      {
        giftId: 'T2',
        from: payload,
        message: `buy <b>cheap</b> scam <script>window.hacked=1</script>`,
        word: 'scam',
        at: NOW - 1000,
      },
      { giftId: 'T1', from: 'Viewer', message: 'spam spam', word: 'spam', at: NOW - 60_000 },
    ];
    const f = renderWith(
      handlers({
        'creator.moderation': () => ok({ blockedWords: ['scam', 'spam'], hidden }),
        'creator.setBlockedWords': () => ok({ blockedWords: ['bots', 'freecoins', 'scam'] }),
      }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    const list = await screen.findByRole('list', { name: 'Blocked words' });
    expect([...list.querySelectorAll('li')].map((li) => li.firstChild!.textContent)).toEqual(['scam', 'spam']);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    const input = screen.getByLabelText('Add blocked words') as HTMLInputElement;
    // a comma ends a word; the rest stays in the box
    fireEvent.input(input, { target: { value: 'bots, Scam,free' } });
    expect(input.value).toBe('free');
    fireEvent.input(input, { target: { value: 'free coins' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('');
    expect([...list.querySelectorAll('li')].map((li) => li.firstChild!.textContent)).toEqual([
      'scam',
      'spam',
      'bots',
      'free coins',
    ]);
    // too long: explained, not added
    fireEvent.input(input, { target: { value: 'x'.repeat(41) } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByText(/is longer than 40 characters/)).toBeTruthy();
    fireEvent.input(input, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove spam' }));
    expect(screen.queryByRole('button', { name: 'Remove spam' })).toBeNull();
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(await screen.findByText(/^Saved\. Gifts whose message contains one of these words/)).toBeTruthy();
    expect(f.calls.filter((c) => c.type === 'creator.setBlockedWords')).toEqual([
      { type: 'creator.setBlockedWords', blockedWords: ['scam', 'bots', 'free coins'] },
    ]);
    // the list as the server keeps it
    expect(
      [...screen.getByRole('list', { name: 'Blocked words' }).querySelectorAll('li')].map(
        (li) => li.firstChild!.textContent,
      ),
    ).toEqual(['bots', 'freecoins', 'scam']);
    expect(save.disabled).toBe(true);

    // hidden messages: newest first, who sent what and which word hid it, all as text
    const shown = screen.getByRole('list', { name: 'Hidden messages' });
    const items = [...shown.querySelectorAll('li')];
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain(
      `${payload}: buy <b>cheap</b> scam <script>window.hacked=1</script> hidden for “scam”`,
    );
    expect(items[1]!.textContent).toContain('Viewer: spam spam hidden for “spam”');
    expect(shown.querySelector('img, b, script')).toBeNull();
    expect((window as any).hacked).toBeUndefined();
  });

  it('saves a word still in the box, and explains a refused save', async () => {
    const f = renderWith(
      handlers({ 'creator.setBlockedWords': () => err('invalid_request', 'blockedWords: too many words') }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    expect(await screen.findByText('No blocked words.')).toBeTruthy();
    expect(screen.getByText('No messages hidden.')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Add blocked words'), { target: { value: 'rude' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('blockedWords: too many words')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'creator.setBlockedWords')).toEqual({
      type: 'creator.setBlockedWords',
      blockedWords: ['rude'],
    });
  });

  it('offers becoming a creator to a viewer', async () => {
    const f = renderWith(
      signedInHandlers({ 'creator.become': () => err('handle_taken') }),
      <App tabUrl={null} initialTab="creator" />,
    );
    const form = await screen.findByRole('form', { name: 'Become a creator' });
    fireEvent.input(screen.getByLabelText('Handle'), { target: { value: 'new_streamer' } });
    fireEvent.input(screen.getByLabelText('Your channel'), { target: { value: 'https://www.twitch.tv/new_streamer' } });
    fireEvent.submit(form);
    expect(await screen.findByText('That handle is taken')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'creator.become')).toEqual({
      type: 'creator.become',
      handle: 'new_streamer',
      channels: ['https://www.twitch.tv/new_streamer'],
    });
  });
});

describe('popup: settings', () => {
  it('asks the browser for access to a new server before saving it', async () => {
    const requestAccess = vi.fn(async () => false);
    const f = renderWith(
      {
        'settings.get': () => ok({ server: 'http://localhost:8787', defaultServer: 'http://localhost:8787' }),
        'settings.setServer': (m) => ok({ server: m.url }),
      },
      <SettingsView
        signedIn
        onServerChanged={() => undefined}
        onSignOut={() => undefined}
        requestAccess={requestAccess}
      />,
    );
    const input = (await screen.findByLabelText('Server')) as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe('http://localhost:8787'));
    fireEvent.input(input, { target: { value: 'https://gifts.example.org/' } });
    fireEvent.submit(input.closest('form')!);
    expect(await screen.findByText('Permission needed')).toBeTruthy();
    expect(requestAccess).toHaveBeenCalledWith('https://gifts.example.org');
    requestAccess.mockResolvedValue(true);
    fireEvent.submit(input.closest('form')!);
    expect(await screen.findByText('Saved.')).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'settings.setServer')).toEqual({
      type: 'settings.setServer',
      url: 'https://gifts.example.org',
    });
  });

  it('links the privacy page of the server in use, not of an address being typed', async () => {
    renderWith(
      {
        'settings.get': () => ok({ server: 'https://gifts.example.com', defaultServer: 'https://gifts.example.com' }),
        'settings.setServer': (m) => ok({ server: m.url }),
      },
      <SettingsView
        signedIn={false}
        onServerChanged={() => undefined}
        onSignOut={() => undefined}
        requestAccess={async () => true}
      />,
    );
    const link = (await screen.findByRole('link', { name: 'Privacy policy' })) as HTMLAnchorElement;
    expect(link.href).toBe('https://gifts.example.com/privacy');
    expect(link.target).toBe('_blank');
    const input = screen.getByLabelText('Server') as HTMLInputElement;
    fireEvent.input(input, { target: { value: 'https://other.example.org' } });
    expect(link.href).toBe('https://gifts.example.com/privacy');
    fireEvent.submit(input.closest('form')!);
    await screen.findByText('Saved.');
    await waitFor(() =>
      expect((screen.getByRole('link', { name: 'Privacy policy' }) as HTMLAnchorElement).href).toBe(
        'https://other.example.org/privacy',
      ),
    );
  });
});

describe('popup: payouts through Stripe Connect', () => {
  const earnings = earningsOf(2000, 1400);
  const stripeAccount = (state: 'none' | 'details_needed' | 'under_review' | 'enabled', auto = 0) => ({
    mode: 'stripe' as const,
    state,
    detailsSubmitted: state === 'under_review' || state === 'enabled',
    chargesEnabled: state === 'enabled',
    payoutsEnabled: state === 'enabled',
    autoApprove: { amount: auto, currency: 'USD' as const },
  });
  const payout = (id: string, status: string) => ({
    id,
    diamonds: 1430,
    amount: { amount: 1001, currency: 'USD' },
    status,
    destination: '••••ab12',
    createdAt: NOW - 5000,
    decidedAt: null,
    reference: null,
  });
  const handlers = (extra: Handlers = {}): Handlers => ({
    'room.get': () =>
      ok({
        room: {
          handle: 'streamer',
          displayName: 'Streamer',
          live: { live: false, title: null, sessionId: null, startedAt: null },
          goal: null,
          leaderboard: [],
        },
      }),
    'creator.earnings': () => ok(earnings),
    'creator.payouts': () => ok({ payouts: [] }),
    'creator.overlay': () => ok({ token: 't1', overlayUrl: 'http://localhost:8787/overlay/?room=streamer&token=t1' }),
    'creator.moderation': () => ok({ blockedWords: [], hidden: [] }),
    'creator.payoutAccount': () => ok({ account: stripeAccount('none') }),
    ...extra,
  });

  it('offers to set up payouts, opens Stripe, and asks for no destination nobody needs', async () => {
    const f = renderWith(
      handlers({ 'creator.setUpPayouts': () => ok({ opened: true }) }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    expect((await screen.findByTestId('payout-account')).textContent).toBe(
      'Payouts go to a Stripe account. Set one up to cash out.',
    );
    expect(screen.queryByRole('form', { name: 'Request a payout' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Set up payouts' }));
    expect(await screen.findByText(/Stripe’s setup opened in a new tab/)).toBeTruthy();
    expect(f.calls.filter((c) => c.type === 'creator.setUpPayouts')).toHaveLength(1);
  });

  it('says in words what Stripe still needs, and while it reviews, offers nothing to click', async () => {
    renderWith(
      handlers({ 'creator.payoutAccount': () => ok({ account: stripeAccount('details_needed') }) }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    expect((await screen.findByTestId('payout-account')).textContent).toBe(
      'Stripe needs more details before it can pay you.',
    );
    expect(screen.getByRole('button', { name: 'Continue setup' })).toBeTruthy();
    cleanup();
    renderWith(
      handlers({ 'creator.payoutAccount': () => ok({ account: stripeAccount('under_review') }) }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    expect((await screen.findByTestId('payout-account')).textContent).toBe(
      'Stripe is reviewing your details; payouts open once it is done.',
    );
    expect(screen.queryByRole('button', { name: /setup|Set up/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Request a payout' })).toBeNull();
  });

  it('with payouts enabled, requests a payout without a destination and shows every status in words', async () => {
    const f = renderWith(
      handlers({
        'creator.payoutAccount': () => ok({ account: stripeAccount('enabled', 2000) }),
        'creator.payouts': () =>
          ok({ payouts: ['requested', 'processing', 'paid', 'failed', 'rejected'].map((s, i) => payout(`PO${i}`, s)) }),
        'creator.requestPayout': () =>
          ok({ payout: { ...payout('PO9', 'processing'), diamonds: 2000, amount: { amount: 1400, currency: 'USD' } } }),
      }),
      <CreatorView creator={creator} rates={rates} onChanged={() => undefined} />,
    );
    expect((await screen.findByTestId('payout-account')).textContent).toBe(
      'Payouts enabled: Stripe pays your payouts to your account. Payouts up to $20.00 are approved at once; larger ones wait for the operator.',
    );
    for (const words of [
      'requested: waiting for approval',
      'processing: transfer on its way',
      'paid',
      'failed: diamonds returned',
      'rejected: diamonds returned',
    ])
      expect(screen.getByText(words, { selector: 'strong' })).toBeTruthy();
    expect(screen.queryByLabelText(/Pay to/)).toBeNull();
    const button = screen.getByRole('button', { name: 'Request $14.00' });
    fireEvent.submit(button.closest('form')!);
    expect(
      await screen.findByText(/Payout of \$14.00 approved: Stripe is transferring it\. Stripe pays it to your account/),
    ).toBeTruthy();
    expect(f.calls.find((c) => c.type === 'creator.requestPayout').payout).toEqual({ diamonds: 2000 });
  });
});
