// The gift button a stream page gets (inside a closed shadow root), and its panel.
import { useEffect, useState } from 'preact/hooks';
import type { Resolved } from '../lib/api';
import type { Ask } from '../lib/ask';
import type { PageState, ReplyError } from '../lib/replies';
import { GiftArt } from '@giftstream/ui';
import { GiftPanel } from './GiftPanel';
import { ErrorNote, Note, useRefresh } from './ui';

/** While the panel is open it asks again this often: nothing it shows is older than STALE_AFTER. */
export const PAGE_REFRESH_EVERY = 3_000;
export const STALE_AFTER = 10_000;

export function PageGift({
  resolved,
  channelUrl,
  ask,
  trustedOnly = true,
}: {
  resolved: Resolved;
  channelUrl: string;
  ask: Ask;
  trustedOnly?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<PageState | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  // The last live state the server gave, with its time: an old answer is shown with its age, never as now.
  const [seen, setSeen] = useState<{ live: boolean; at: number } | null>(null);

  async function load() {
    const r = await ask({ type: 'page.state', handle: resolved.creator.handle });
    if (r.ok) {
      setState(r.data);
      if (r.data.live !== null) setSeen({ live: r.data.live, at: r.data.at });
      setError(null);
    } else setError(r.error);
  }

  // Open: refresh on focus and every few seconds, so going live (or a new balance) shows without a reload.
  useEffect(() => void (open && load()), [open]);
  useRefresh(PAGE_REFRESH_EVERY, () => void load(), [], open);
  const live = seen?.live ?? resolved.creator.live;
  const stale = state !== null && (seen === null || Date.now() - seen.at > STALE_AFTER);

  return (
    <div class="gs-root">
      {open && (
        <div class="gs-panel" role="dialog" aria-label="Send a gift">
          <button type="button" class="gs-close" aria-label="Close" onClick={() => setOpen(false)}>
            ×
          </button>
          <ErrorNote error={error} context={{ where: 'page' }} />
          {stale && (
            <Note kind="warn">
              Cannot reach Giftstream to check whether @{resolved.creator.handle} is live
              {seen ? ` (last checked ${new Date(seen.at).toLocaleTimeString('en-US', { hour12: false })})` : ''}.
              Retrying…
            </Note>
          )}
          {state && (
            <GiftPanel
              creator={{ ...resolved.creator, live }}
              verified={resolved.channel.verified}
              gifts={state.gifts}
              signedIn={state.signedIn}
              adult={state.adult}
              balance={state.coins}
              confirmThreshold={state.confirmThreshold}
              sent={state.sent}
              giftLimits={state.giftLimits}
              where="page"
              trustedOnly={trustedOnly}
              onSend={(gift) => ask({ type: 'page.sendGift', channelUrl, handle: resolved.creator.handle, gift })}
              onFollow={(key) => ask({ type: 'page.followGift', key })}
              onSent={(v) => v.result && setState((s) => s && { ...s, coins: v.result!.wallet.coins, at: Date.now() })}
            />
          )}
        </div>
      )}
      <button
        type="button"
        class={`gs-button${resolved.channel.verified ? ' verified' : ''}`}
        title={`Send a gift to @${resolved.creator.handle} with Giftstream`}
        onClick={(e) => {
          if (trustedOnly && !e.isTrusted) return;
          setOpen(!open);
        }}
      >
        <GiftArt class="gift-art" />
        <span>Gift</span>
        {resolved.channel.verified && (
          <span class="gs-check" role="img" aria-label="verified">
            ✓
          </span>
        )}
      </button>
    </div>
  );
}
