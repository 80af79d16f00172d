import { alertCoins, alertCount, senders, type Alert, type AlertQueue } from '../alert-queue';
import { GiftArt } from '../art';
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
          <div key={a.key} class="toast-slot" style={{ transform: `translateY(${-(toasts.length - 1 - i) * TOAST_PITCH_PX}px)` }}>
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
  const classes = ['alert', `alert-${a.tier}`, a.leavingAt !== null && 'leaving', a.test && 'is-test', aggregated && 'aggregated'];
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
        {a.message && <div class="message">{aggregated && a.messageFrom ? `${a.messageFrom}: ${a.message}` : a.message}</div>}
      </div>
      <div class="count" key={a.bump}>
        ×{formatNumber(count)}
      </div>
      {a.test && <span class="test-mark">test</span>}
    </div>
  );
}
