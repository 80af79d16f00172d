// The spend meter: what the viewer has sent to the creator of the stream they watch, this stream and over
// the last 24 hours, with their gift caps. Every number comes from the wallet: a fresh read when the panel
// opens (so it is right after a restart), then each gift's reply, a combo counting as it grows.
import { useEffect, useState } from 'preact/hooks';
import type { GiftLimits, GiftsSent } from '../lib/api';
import { money, useAsk, useRefresh } from './ui';

/** As often as the page panel asks for its state: the meter is never older than that while open. */
const METER_REFRESH_EVERY = 3_000;

/**
 * The meter as last told: by a read of the wallet (`read`) or by a gift's reply (`reply`), whichever came
 * last. Both are the wallet's own sums; a later one is never older than an earlier one.
 */
export function SpendMeter({
  handle,
  read,
  reply,
  caps,
}: {
  handle: string;
  read: GiftsSent | null | undefined;
  reply: GiftsSent | undefined;
  caps?: GiftLimits | null;
}) {
  const [shown, setShown] = useState<GiftsSent | null>(read ?? reply ?? null);
  useEffect(() => void (read && setShown(read)), [read]);
  useEffect(() => void (reply && setShown(reply)), [reply]);
  if (!shown) return null;
  const of = (cap: number | null | undefined, what: string) =>
    cap === null || cap === undefined ? '' : ` of your ${money(cap)} ${what}`;
  return (
    <div class="spend-meter" role="status" aria-label="What you have sent">
      <p class="sm-stream">
        You have sent <strong>{money(shown.stream.amount)}</strong> to @{handle} this stream
        {of(caps?.stream, 'per-stream cap')}.
      </p>
      <p class="sm-day">
        <strong>{money(shown.day.amount)}</strong> today (last 24 hours, all streams){of(caps?.daily, 'daily cap')}.
      </p>
    </div>
  );
}

/**
 * The popup's read of the meter for `handle`: asked when the creator is known, on focus and every few
 * seconds while the popup is open, like the page panel's state.
 */
export function useRoomMeter(handle: string | null): { sent: GiftsSent | null; caps: GiftLimits | null } {
  const ask = useAsk();
  const [meter, setMeter] = useState<{ sent: GiftsSent | null; caps: GiftLimits | null }>({ sent: null, caps: null });
  const load = () => {
    if (!handle) return;
    void ask({ type: 'wallet.get', room: handle }).then((r) => {
      if (r.ok && !r.data.offline && r.data.wallet.room?.handle === handle)
        setMeter({ sent: r.data.wallet.room.sent, caps: r.data.wallet.giftLimits });
    });
  };
  useEffect(load, [handle]);
  useRefresh(METER_REFRESH_EVERY, load, [handle], !!handle);
  return meter;
}
