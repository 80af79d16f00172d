// The popup: signed out, it signs in; signed in, it shows the wallet, gifting, history, limits, the creator
// view and settings.
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_RATE_CARD, mulCeil } from '@giftstream/shared';
import type { Catalog, Me, Rates, Wallet } from '../lib/api';
import type { ReplyError, SessionView } from '../lib/replies';
import { AuthView } from './AuthView';
import { BecomeCreator, CreatorView } from './CreatorView';
import { GiftTab } from './GiftTab';
import { HistoryView } from './HistoryView';
import { LimitsView } from './LimitsView';
import { SettingsView } from './SettingsView';
import { StatementView } from './StatementView';
import { coins, ErrorNote, useAsk, useRefresh } from './ui';
import { WalletView } from './WalletView';

export const WALLET_REFRESH_EVERY = 8_000;

export type Tab = 'wallet' | 'gift' | 'history' | 'limits' | 'creator' | 'settings';

export function isTab(s: string | null): s is Tab {
  return TABS.some((t) => t.id === s);
}
const TABS: { id: Tab; label: string }[] = [
  { id: 'wallet', label: 'Wallet' },
  { id: 'gift', label: 'Gift' },
  { id: 'history', label: 'History' },
  { id: 'limits', label: 'Limits' },
  { id: 'creator', label: 'Creator' },
  { id: 'settings', label: 'Settings' },
];

/** For a creator the creator tab comes first. */
const CREATOR_TABS = [TABS.find((t) => t.id === 'creator')!, ...TABS.filter((t) => t.id !== 'creator')];

export function App({ tabUrl, initialTab }: { tabUrl: string | null; initialTab?: Tab }) {
  const ask = useAsk();
  const tabs = useTabs(initialTab);
  const account = useAccount(tabs.openCreatorOnce);
  const { session, wallet, me, error, refresh } = account;

  async function signOut() {
    await ask({ type: 'session.signOut' });
    account.forget();
    tabs.reset();
  }

  if (session === undefined) return <main class="loading">Loading…</main>;
  const header = <PopupHeader session={session} wallet={wallet} />;
  if (!session)
    return (
      <main>
        {header}
        {tabs.tab === 'settings' ? (
          <SettingsView signedIn={false} onServerChanged={() => void refresh()} onSignOut={() => undefined} />
        ) : (
          <AuthView
            onSignedIn={(s) => {
              account.setSession(s);
              void refresh();
            }}
          />
        )}
        <button type="button" class="link" onClick={() => tabs.setTab(tabs.tab === 'settings' ? 'wallet' : 'settings')}>
          {tabs.tab === 'settings' ? 'Back to sign in' : 'Server settings'}
        </button>
        <ErrorNote error={error} context={{ where: 'popup' }} />
      </main>
    );

  return (
    <main>
      {header}
      <TabBar tabs={me?.creator ? CREATOR_TABS : TABS} current={tabs.tab} onPick={tabs.choose} />
      <ErrorNote error={error} context={{ where: 'popup' }} />
      <TabPanel tab={tabs.tab} tabUrl={tabUrl} session={session} account={account} onSignOut={() => void signOut()} />
    </main>
  );
}

/**
 * The open tab. A creator's home is the creator tab: their earnings, not a viewer wallet that may hold 0
 * coins. It opens there once, when the account turns out to be a creator, unless a tab was asked for or
 * already chosen.
 */
function useTabs(initialTab: Tab | undefined) {
  const [tab, setTab] = useState<Tab>(initialTab ?? 'wallet');
  const [, setChosen] = useState(initialTab !== undefined);
  return {
    tab,
    setTab,
    choose(t: Tab) {
      setChosen(true);
      setTab(t);
    },
    openCreatorOnce() {
      setChosen((was) => {
        if (!was) setTab('creator');
        return true;
      });
    },
    reset() {
      setTab('wallet');
      setChosen(false);
    },
  };
}

interface WalletReading {
  wallet: Wallet;
  offline: boolean;
  at: number;
}

/** The session, the wallet, the account and the catalog, as the background last answered them. */
function useAccount(onCreator: () => void) {
  const ask = useAsk();
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [wallet, setWallet] = useState<WalletReading | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [catalog, setCatalog] = useState<{ gifts: Catalog; rates: Rates } | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);

  async function refresh() {
    const s = await ask({ type: 'session.get' });
    if (!s.ok) return setError(s.error);
    setSession(s.data);
    const c = await ask({ type: 'catalog.get' });
    if (c.ok) setCatalog(c.data);
    if (!s.data) return;
    const [w, m] = await Promise.all([ask({ type: 'wallet.get' }), ask({ type: 'me.get' })]);
    if (w.ok) setWallet(w.data);
    if (m.ok) setMe(m.data);
    if (m.ok && m.data.creator) onCreator();
    const failed = !w.ok ? w : !m.ok ? m : null;
    setError(failed && !failed.ok ? failed.error : null);
    // A 401 ended the session in the background.
    if (failed && !failed.ok && failed.error.code === 'unauthorized') setSession(null);
  }
  useEffect(() => void refresh(), []);
  // What the header and the tabs show is asked again whenever the popup gets focus and every few seconds, so
  // nothing is shown as current that is older than STALE_AFTER.
  useRefresh(WALLET_REFRESH_EVERY, () => void refreshWallet(), []);

  async function refreshWallet() {
    const w = await ask({ type: 'wallet.get' });
    if (w.ok) setWallet(w.data);
  }

  /** A money move's reply carries the new balance: show it at once, then ask for the rest. */
  function moneyMoved(coins?: number) {
    if (coins !== undefined) setWallet((w) => w && withCoins(w, coins, catalog?.rates ?? null));
    void refresh();
  }

  function forget() {
    setSession(null);
    setWallet(null);
    setMe(null);
  }
  return { session, setSession, wallet, me, catalog, error, refresh, moneyMoved, forget };
}
type Account = ReturnType<typeof useAccount>;

/** The wallet with a balance a reply just reported, valued at the coin price when the rates are known. */
function withCoins(w: WalletReading, coins: number, rates: Rates | null): WalletReading {
  return {
    ...w,
    wallet: {
      ...w.wallet,
      coins,
      value: { ...w.wallet.value, amount: rates ? mulCeil(coins, rates.coinPrice) : w.wallet.value.amount },
    },
    at: Date.now(),
  };
}

function PopupHeader({ session, wallet }: { session: SessionView | null; wallet: WalletReading | null }) {
  return (
    <header>
      <span class="brand">Giftstream</span>
      {session && (
        <span class="who">
          {session.user.displayName}
          {wallet && <span class="pill">{coins(wallet.wallet.coins)}</span>}
        </span>
      )}
    </header>
  );
}

function TabBar({ tabs, current, onPick }: { tabs: typeof TABS; current: Tab; onPick(tab: Tab): void }) {
  return (
    <nav class="tabs" role="tablist">
      {tabs.map((t) => (
        <button
          type="button"
          role="tab"
          key={t.id}
          aria-selected={current === t.id}
          class={current === t.id ? 'on' : ''}
          onClick={() => onPick(t.id)}
        >
          {t.label}
        </button>
      ))}
    </nav>
  );
}

interface TabPanelProps {
  tab: Tab;
  tabUrl: string | null;
  session: SessionView;
  account: Account;
  onSignOut(): void;
}

function TabPanel({ tab, tabUrl, session, account, onSignOut }: TabPanelProps) {
  const { wallet, me, catalog } = account;
  const refresh = () => void account.refresh();
  const rates = catalog?.rates ?? null;
  return (
    <>
      {tab === 'wallet' && wallet && <WalletView {...wallet} rates={rates} onChanged={refresh} />}
      {tab === 'gift' && (
        <GiftTab
          tabUrl={tabUrl}
          adult={me?.user.adult ?? session.user.adult}
          balance={wallet?.wallet.coins ?? null}
          gifts={catalog?.gifts ?? []}
          confirmThreshold={rates?.confirmThreshold.amount ?? DEFAULT_RATE_CARD.confirmThreshold}
          ownChannels={me?.creator?.channels}
          onSent={refresh}
        />
      )}
      {tab === 'history' && (
        <>
          <StatementView />
          <HistoryView balance={wallet?.wallet.coins ?? null} onMoneyMoved={account.moneyMoved} />
        </>
      )}
      {tab === 'limits' && wallet && <LimitsView wallet={wallet.wallet} onChanged={refresh} />}
      {tab === 'creator' &&
        (me?.creator ? (
          <CreatorView creator={me.creator} rates={rates} onChanged={refresh} />
        ) : (
          me && <BecomeCreator onCreated={refresh} />
        ))}
      {tab === 'settings' && <SettingsView signedIn onServerChanged={refresh} onSignOut={onSignOut} />}
    </>
  );
}
