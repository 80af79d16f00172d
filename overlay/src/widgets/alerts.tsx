import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { alertCoins, alertCount, senders, type Alert, type AlertQueue } from '../alert-queue';
import { GiftArt } from '@giftstream/ui';
import { formatNumber, nameList } from '../format';
import type { AlertStyle } from '../looks';

/** Toasts are stacked by transform, newest at the bottom, so re-stacking never changes layout. */
export const TOAST_PITCH_PX = 100;

/** `styleOf`: the creator's look for each alert (the studio's configuration); none draws the house look. */
export function Alerts({ queue, styleOf }: { queue: AlertQueue; styleOf?: (a: Alert) => AlertStyle }) {
  const toasts = queue.visible('toast');
  const stage = queue.visible('stage');
  const styles = new Map([...toasts, ...stage].map((a) => [a, styleOf?.(a)]));
  // A toast drawn larger or smaller takes that much more or less of the stack.
  const pitch = (a: Alert) => TOAST_PITCH_PX * (styles.get(a)?.scale ?? 1);
  const above = (i: number) => toasts.slice(i + 1).reduce((n, a) => n + pitch(a), 0);
  return (
    <div class="alerts">
      <div class="toasts">
        {toasts.map((a, i) => (
          <div key={a.key} class="toast-slot" style={{ transform: `translateY(${-above(i)}px)` }}>
            <AlertView alert={a} look={styles.get(a)} />
          </div>
        ))}
      </div>
      <div class="stage">
        {stage.map((a) => (
          <AlertView key={a.key} alert={a} look={styles.get(a)} />
        ))}
      </div>
    </div>
  );
}

export function AlertView({ alert: a, look }: { alert: Alert; look?: AlertStyle }) {
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
    look?.classes,
  ];
  return (
    <div
      class={classes.filter(Boolean).join(' ')}
      data-alert={a.key}
      data-count={count}
      data-events={a.events}
      data-combos={a.parts.map((p) => `${p.comboId}=${p.count}`).join(' ')}
      style={look?.style}
    >
      {a.tier === 'epic' && <div class="epic-rays" />}
      {look?.image ? <img class="art" src={look.image} alt="" /> : <GiftArt giftId={top.giftId} class="art" />}
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
