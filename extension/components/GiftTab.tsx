// The popup's gift tab: the creator of the stream in the current tab, and the gift panel for them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseChannelUrl } from '@giftstream/shared';
import type { Catalog, Creator, Resolved } from '../lib/api';
import type { GiftView, ReplyError } from '../lib/replies';
import { NotVerifiedNote } from './ChannelConnect';
import { GiftPanel } from './GiftPanel';
import { PAGE_REFRESH_EVERY } from './PageGift';
import { useRoomMeter } from './SpendMeter';
import { ErrorNote, Note, useAsk, useRefresh, when } from './ui';

/** Gifts saved in the outbox that the server has not answered yet: they are retried, never doubled. */
export function OnTheirWay({ gifts }: { gifts: Catalog }) {
  const ask = useAsk();
  const [waiting, setWaiting] = useState<GiftView[]>([]);
  useEffect(() => {
    void ask({ type: 'outbox.list' }).then((r) => r.ok && setWaiting(r.data.filter((g) => g.status === 'pending')));
  }, []);
  if (waiting.length === 0) return null;
  return (
    <Note kind="warn">
      <strong>Gifts on their way</strong>
      <p>The server has not confirmed these yet. They are retried automatically and will be sent exactly once.</p>
      <ul class="waiting">
        {waiting.map((g) => (
          <li key={g.key}>
            {gifts.find((x) => x.id === g.body.giftId)?.name ?? g.body.giftId} ×{g.body.count} to @{g.handle},{' '}
            {when(g.createdAt)}
          </li>
        ))}
      </ul>
    </Note>
  );
}

export function GiftTab(p: {
  tabUrl: string | null;
  adult: boolean;
  balance: number | null;
  gifts: Catalog;
  confirmThreshold: number;
  /** The signed-in creator's own channels, to explain why their own page has no gift button. */
  ownChannels?: Creator['channels'];
  onSent(): void;
}) {
  const ask = useAsk();
  const [resolved, setResolved] = useState<Resolved | null | undefined>(undefined);
  const [error, setError] = useState<ReplyError | null>(null);
  const answered = useRef(false);

  // Like the page panel: asked when the tab opens, on focus and every few seconds while it is open, so a
  // creator going live shows without reopening the popup. A failed look after a good one keeps the good one.
  const load = () => {
    if (!p.tabUrl) return setResolved(null);
    void ask({ type: 'channel.resolve', url: p.tabUrl }).then((r) => {
      if (r.ok) {
        answered.current = true;
        setResolved(r.data);
        setError(null);
      } else if (!answered.current) setError(r.error);
    });
  };
  useEffect(load, [p.tabUrl]);
  useRefresh(PAGE_REFRESH_EVERY, load, [p.tabUrl], !!p.tabUrl);
  const meter = useRoomMeter(resolved?.creator.handle ?? null);

  return (
    <>
      <OnTheirWay gifts={p.gifts} />
      <GiftTabBody {...p} resolved={resolved} error={error} meter={meter} />
    </>
  );
}

function GiftTabBody(
  p: Parameters<typeof GiftTab>[0] & {
    resolved: Resolved | null | undefined;
    error: ReplyError | null;
    meter: ReturnType<typeof useRoomMeter>;
  },
) {
  const ask = useAsk();
  const { resolved, error } = p;
  if (error) return <ErrorNote error={error} context={{ where: 'popup' }} />;
  if (resolved === undefined) return <p class="muted">Looking at the current tab…</p>;
  if (resolved === null) {
    const own = ownUnverified(p.tabUrl, p.ownChannels ?? []);
    if (own) return <NotVerifiedNote url={own.url} />;
    return (
      <Note>
        Open a stream on Twitch, YouTube, Kick or TikTok whose creator is on Giftstream, then click the Giftstream
        button again to send them a gift.
      </Note>
    );
  }
  return (
    <GiftPanel
      creator={resolved.creator}
      verified={resolved.channel.verified}
      gifts={p.gifts}
      signedIn
      adult={p.adult}
      balance={p.balance}
      confirmThreshold={p.confirmThreshold}
      sent={p.meter.sent}
      giftLimits={p.meter.caps}
      where="popup"
      onSend={(gift) => ask({ type: 'gift.send', handle: resolved.creator.handle, gift })}
      onFollow={(key) => ask({ type: 'gift.follow', key })}
      onSent={p.onSent}
    />
  );
}

/** The viewer's own unverified channel that the tab shows, if any. */
function ownUnverified(tabUrl: string | null, channels: Creator['channels']) {
  const key = tabUrl ? parseChannelUrl(tabUrl)?.key : undefined;
  return key ? channels.find((ch) => !ch.verified && parseChannelUrl(ch.url)?.key === key) : undefined;
}
