// The gift button a stream page gets (inside a closed shadow root), and its panel.
import { useState } from 'preact/hooks';
import type { Resolved } from '../lib/api';
import type { Ask } from '../lib/messaging';
import type { PageState, ReplyError } from '../lib/replies';
import { GiftArt } from '@giftstream/overlay/art';
import { GiftPanel } from './GiftPanel';
import { ErrorNote } from './ui';

export function PageGift({ resolved, channelUrl, ask, trustedOnly = true }: { resolved: Resolved; channelUrl: string; ask: Ask; trustedOnly?: boolean }) {
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<PageState | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);

  async function load() {
    const r = await ask({ type: 'page.state' });
    if (r.ok) setState(r.data);
    else setError(r.error);
  }

  return (
    <div class="gs-root">
      {open && (
        <div class="gs-panel" role="dialog" aria-label="Send a gift">
          <button type="button" class="gs-close" aria-label="Close" onClick={() => setOpen(false)}>
            ×
          </button>
          <ErrorNote error={error} context={{ where: 'page' }} />
          {state && (
            <GiftPanel
              creator={resolved.creator}
              verified={resolved.channel.verified}
              gifts={state.gifts}
              signedIn={state.signedIn}
              adult={state.adult}
              balance={state.coins}
              confirmThreshold={state.confirmThreshold}
              where="page"
              trustedOnly={trustedOnly}
              onSend={(gift) => ask({ type: 'page.sendGift', channelUrl, handle: resolved.creator.handle, gift })}
              onSent={(v) => v.result && setState({ ...state, coins: v.result.wallet.coins })}
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
          const next = !open;
          setOpen(next);
          if (next) void load();
        }}
      >
        <GiftArt class="gift-art" />
        <span>Gift</span>
        {resolved.channel.verified && (
          <span class="gs-check" aria-label="verified">
            ✓
          </span>
        )}
      </button>
    </div>
  );
}
