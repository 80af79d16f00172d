// Proving a channel from the popup: "Connect Twitch" opens the site's sign-in in a tab (through the
// background, which asks the server for a one-time sign-in URL); the server verifies the channel when the site
// sends the creator back. A site the operator has not set up keeps the old way: ask the operator.
import { useEffect, useState } from 'preact/hooks';
import { parseChannelUrl } from '@giftstream/shared';
import type { ConnectSite, ConnectSites, Creator } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { ErrorNote, Note, useAsk } from './ui';

type SiteInfo = ConnectSites['sites'][number];

/** The sites the server can prove channels on; null until known (or if it could not be asked). */
function useConnectSites(): SiteInfo[] | null {
  const ask = useAsk();
  const [sites, setSites] = useState<SiteInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void ask({ type: 'creator.connectSites' }).then((r) => live && r.ok && setSites(r.data.sites));
    return () => {
      live = false;
    };
  }, [ask]);
  return sites;
}

/** One "Connect <site>" button and what became of the click. */
function ConnectButton({ site, name }: { site: ConnectSite; name: string }) {
  const ask = useAsk();
  const [state, setState] = useState<'idle' | 'opening' | 'opened'>('idle');
  const [error, setError] = useState<ReplyError | null>(null);
  async function go() {
    setState('opening');
    setError(null);
    const r = await ask({ type: 'creator.connect', site });
    setState(r.ok ? 'opened' : 'idle');
    if (!r.ok) setError(r.error);
  }
  const askOperator = error?.code === 'not_found';
  return (
    <div class="connect">
      <button
        type="button"
        class="primary"
        name={`connect-${site}`}
        disabled={state === 'opening'}
        onClick={() => void go()}
      >
        Connect {name}
      </button>
      {state === 'opened' && (
        <p class="muted">Sign in on {name} in the tab that opened and allow access; then come back here.</p>
      )}
      {askOperator ? (
        <Note kind="warn">{error.message}</Note>
      ) : (
        <ErrorNote error={error} context={{ where: 'popup' }} />
      )}
    </div>
  );
}

const ASK_OPERATOR = 'Ask the operator of this Giftstream to verify it.';

/**
 * What a claimant of an unverified channel needs to know: there is no gift button on that page yet, and
 * how to prove the channel: signing in with the site where the server has it set up, else the operator.
 */
export function NotVerifiedNote({ url }: { url: string }) {
  const sites = useConnectSites();
  const site = parseChannelUrl(url)?.site;
  const info = sites?.find((s) => s.site === site && s.configured);
  return (
    <Note kind="warn">
      <strong>{url}</strong>
      <p>
        Not verified yet: gifts on this page are off until the channel is proven.{' '}
        {info ? `Sign in with ${info.name} to prove it is yours.` : ASK_OPERATOR}
      </p>
      {info && <ConnectButton site={info.site} name={info.name} />}
    </Note>
  );
}

/** The Creator tab's "Connect a channel": one button per site set up, except where a note above offers it. */
export function ChannelConnect({ channels }: { channels: Creator['channels'] }) {
  const sites = useConnectSites();
  if (!sites) return null;
  const offered = new Set(channels.filter((ch) => !ch.verified).map((ch) => parseChannelUrl(ch.url)?.site));
  const ready = sites.filter((s) => s.configured && !offered.has(s.site));
  const missing = sites.filter((s) => !s.configured).map((s) => s.name);
  return (
    <section class="channel-connect" aria-label="Connect a channel">
      <h3>Connect a channel</h3>
      {ready.length > 0 && (
        <p class="muted">Sign in with the site to prove a channel is yours; viewers then see a gift button on it.</p>
      )}
      {ready.map((s) => (
        <ConnectButton key={s.site} site={s.site} name={s.name} />
      ))}
      {missing.length > 0 && (
        <p class="muted">
          {missing.join(', ')}: signing in is not set up on this Giftstream. To verify a channel there, ask the
          operator.
        </p>
      )}
    </section>
  );
}
