// The balance in coins and money, the rate card in plain words, and buying coins.
import { useEffect, useState } from 'preact/hooks';
import { mulCeil } from '@giftstream/shared';
import type { Purchase, Rates, Wallet } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { TermsLink } from './TermsLink';
import { coins, ErrorNote, money, Note, useAsk, useIntentKey, when } from './ui';

export function rateWords(r: Rates): string {
  const share = Math.round((r.creatorShare.numerator * 100) / r.creatorShare.denominator);
  return `1 coin = ${money(mulCeil(1, r.coinPrice))}; creators receive ${share}% of what you pay.`;
}

export function WalletView({
  wallet,
  offline,
  at,
  rates,
  onChanged,
}: {
  wallet: Wallet;
  offline: boolean;
  at: number;
  rates: Rates | null;
  onChanged(): void;
}) {
  const ask = useAsk();
  const [key, renewKey] = useIntentKey();
  const [custom, setCustom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReplyError | null>(null);
  const [pending, setPending] = useState<Purchase | null>(null);
  const [done, setDone] = useState<Purchase | null>(null);
  // The terms of the server in use, linked before anyone pays.
  const [server, setServer] = useState<string | null>(null);
  useEffect(() => {
    void ask({ type: 'settings.get' }).then((r) => r.ok && setServer(r.data.server));
  }, []);

  // Stripe mode: the purchase completes when the webhook lands; watch it while the popup is open.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(async () => {
      const r = await ask({ type: 'purchase.get', id: pending.id });
      if (r.ok && r.data.purchase.status !== 'pending') {
        setPending(null);
        setDone(r.data.purchase);
        onChanged();
      }
    }, 3000);
    return () => clearInterval(t);
  }, [pending?.id]);

  async function buy(purchase: { packId: string } | { coins: number }) {
    setBusy(true);
    setError(null);
    setDone(null);
    const r = await ask({ type: 'wallet.buy', key, purchase });
    setBusy(false);
    if (!r.ok) {
      // A retry of the same intent reuses the key unless the answer was final.
      if (!['network', 'no_answer', 'rate_limited', 'payment_provider_error'].includes(r.error.code)) renewKey();
      return setError(r.error);
    }
    renewKey();
    if (r.data.purchase.status === 'pending') setPending(r.data.purchase);
    else {
      setDone(r.data.purchase);
      onChanged();
    }
  }

  const customCoins = /^\d{1,7}$/.test(custom.trim()) ? Number(custom.trim()) : null;
  const customOk = rates && customCoins !== null && customCoins >= rates.custom.min && customCoins <= rates.custom.max;

  return (
    <section class="wallet">
      <div class="balance">
        <div class="big" data-testid="balance">
          {coins(wallet.coins)}
        </div>
        <div class="muted">worth {money(wallet.value.amount)}</div>
      </div>
      {offline && <Note kind="warn">Offline: showing your balance as of {when(at)}.</Note>}
      {wallet.debt > 0 && <ErrorNote error={{ code: 'in_debt', message: '' }} />}
      {rates && <p class="rate">{rateWords(rates)}</p>}
      <h3>Buy coins</h3>
      {server && (
        <p class="muted">
          Buying accepts the{' '}
          <a href={`${server}/terms`} target="_blank" rel="noreferrer">
            terms
          </a>
          : what coins cost, refunds within 14 days, and what happens when an account closes.
        </p>
      )}
      <div class="packs">
        {(rates?.packs ?? []).map((p) => (
          <button
            type="button"
            key={p.id}
            data-pack={p.id}
            disabled={busy || offline}
            onClick={() => void buy({ packId: p.id })}
          >
            <strong>{coins(p.coins)}</strong>
            <span>{money(p.price.amount)}</span>
          </button>
        ))}
      </div>
      {rates && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (customOk) void buy({ coins: customCoins! });
          }}
        >
          <label class="grow">
            Custom amount ({rates.custom.min.toLocaleString('en-US')}–{rates.custom.max.toLocaleString('en-US')} coins)
            <input name="custom" inputMode="numeric" value={custom} onInput={(e) => setCustom(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || offline || !customOk}>
            {customOk ? `Buy for ${money(mulCeil(customCoins!, rates.coinPrice))}` : 'Buy'}
          </button>
        </form>
      )}
      {pending && (
        <Note kind="warn">
          Finish paying in the Checkout tab. Your {coins(pending.coins)} arrive as soon as the payment is confirmed.
        </Note>
      )}
      {done && (
        <Note kind="ok">
          Bought {coins(done.coins)} for {money(done.price.amount)}
          {done.sandbox ? ' (sandbox: no real money moved)' : ''}. Receipt in History; <TermsLink>terms</TermsLink>.
        </Note>
      )}
      <ErrorNote error={error} context={{ where: 'popup' }} />
    </section>
  );
}
