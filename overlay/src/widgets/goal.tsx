import type { GoalState } from '@giftstream/shared';
import { formatNumber } from '../format';

export function Goal({ goal }: { goal: GoalState }) {
  if (!goal) return null;
  const ratio = Math.max(0, Math.min(1, goal.progress / goal.target));
  return (
    <div class={`goal${ratio >= 1 ? ' reached' : ''}`} data-widget="goal">
      <div class="goal-head">
        <span class="goal-label">{goal.label}</span>
        <span class="goal-numbers">
          {formatNumber(goal.progress)} / {formatNumber(goal.target)}
        </span>
      </div>
      <div class="goal-track">
        {/* scaleX, not width: the bar grows without relayout. */}
        <div class="goal-fill" style={{ transform: `scaleX(${ratio})` }} />
      </div>
    </div>
  );
}
