import type { LeaderboardEntry } from '@giftstream/shared';
import { formatNumber } from '../format';

export const SHOWN = 5;
export const ROW_PX = 52;

/**
 * The session's top supporters. Rows keep a stable DOM order (by name) and move to their rank by
 * transform, so a supporter climbing the board slides instead of the list being re-laid out.
 */
export function Leaderboard({ entries }: { entries: readonly LeaderboardEntry[] }) {
  const top = entries.slice(0, SHOWN);
  if (!top.length) return null;
  const seen = new Map<string, number>();
  // Two supporters may share a display name ("Anonymous"): the nth of a name is its own row.
  const rows = top.map((e, rank) => {
    const nth = seen.get(e.name) ?? 0;
    seen.set(e.name, nth + 1);
    return { ...e, rank, key: `${e.name}#${nth}` };
  });
  rows.sort((a, b) => (a.key < b.key ? -1 : 1));
  return (
    <div class="board" data-widget="leaderboard">
      <div class="board-title">Top supporters</div>
      <div class="board-rows" style={{ height: `${top.length * ROW_PX}px` }}>
        {rows.map((r) => (
          <div
            key={r.key}
            class={`board-row rank-${r.rank + 1}`}
            style={{ transform: `translateY(${r.rank * ROW_PX}px)` }}
          >
            <span class="rank">{r.rank + 1}</span>
            <span class="name">{r.name}</span>
            <span class="coins">{formatNumber(r.coins)}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
