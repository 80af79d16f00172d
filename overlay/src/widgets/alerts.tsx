import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { alertCoins, alertCount, senders, type Alert, type AlertQueue } from '../alert-queue';
import { GiftArt } from '@giftstream/ui';
import { formatNumber, nameList } from '../format';

/** Toasts are stacked by transform, newest at the bottom, so re-stacking never changes layout. */
export const TOAST_PITCH_PX = 100;

export function Alerts({ queue }: { queue: AlertQueue }) {
  const toasts = queue.visible('toast');
  const stage = queue.visible('stage');
  return (
    <div class="alerts">
      <div class="toasts">
        {toasts.map((a, i) => (
          <div
            key={a.key}
            class="toast-slot"
            style={{ transform: `translateY(${-(toasts.length - 1 - i) * TOAST_PITCH_PX}px)` }}
          >
            <AlertView alert={a} />
          </div>
        ))}
      </div>
      <div class="stage">
        {stage.map((a) => (
          <AlertView key={a.key} alert={a} />
        ))}
      </div>
    </div>
  );
}

export function AlertView({ alert: a }: { alert: Alert }) {
  const count = alertCount(a);
  const gifts = new Set(a.parts.map((p) => p.giftId));
  const top = a.parts.reduce((best, p) => (p.unitCoins > best.unitCoins ? p : best));
  const what = gifts.size === 1 ? top.name : `${formatNumber(count)} gifts`;
  const names = senders(a);
  const aggregated = a.parts.length > 1;
  const classes = [
    'alert',
    `alert-${a.tier}`,
    a.leavingAt !== null && 'leaving',
    a.test && 'is-test',
    aggregated && 'aggregated',
  ];
  return (
    <div
      class={classes.filter(Boolean).join(' ')}
      data-alert={a.key}
      data-count={count}
      data-events={a.events}
      data-combos={a.parts.map((p) => `${p.comboId}=${p.count}`).join(' ')}
    >
      {a.tier === 'epic' && <div class="epic-rays" />}
      <GiftArt giftId={top.giftId} class="art" />
      <div class="text">
        <div class="who">{nameList(names)}</div>
        <div class="what">
          sent <b>{what}</b>
          {a.tier !== 'small' && <span class="coins"> · {formatNumber(alertCoins(a))} coins</span>}
        </div>
        {a.message && (
          <Message
            text={aggregated && a.messageFrom ? `${a.messageFrom}: ${a.message}` : a.message}
            oneLine={a.tier === 'small'}
          />
        )}
      </div>
      <div class="count" key={a.bump}>
        ×{formatNumber(count)}
      </div>
      {a.test && <span class="test-mark">test</span>}
    </div>
  );
}

/** How long a one-line message that does not fit takes to scroll through, once, and when it starts. */
export const SCROLL_START_MS = 600;
export const SCROLL_PX_PER_S = 160;

/**
 * A gift message, whole on every tier: cards wrap it; a small toast keeps its one line (toasts stack at a fixed
 * pitch) and scrolls it once from start to end when it is wider than the toast.
 */
function Message({ text, oneLine }: { text: string; oneLine: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [overflow, setOverflow] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (oneLine && el) setOverflow(Math.max(0, el.scrollWidth - el.clientWidth));
  }, [text, oneLine]);
  const scroll =
    overflow > 0
      ? {
          '--scroll-by': `${-overflow}px`,
          '--scroll-time': `${Math.max(1, overflow / SCROLL_PX_PER_S).toFixed(2)}s`,
          '--scroll-start': `${SCROLL_START_MS}ms`,
        }
      : undefined;
  return (
    <div
      ref={box}
      class={`message${oneLine ? ' one-line' : ''}${overflow > 0 ? ' scrolls' : ''}`}
      data-overflow={overflow}
      style={scroll}
    >
      {text}
    </div>
  );
}
