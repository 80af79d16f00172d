/**
 * The overlay is configured by its URL, the convention of stream tools:
 * `/overlay/?room=HANDLE&token=TOKEN&widgets=alerts,goal,leaderboard&minCoins=1&sound=0&theme=default`.
 * Anything unknown or malformed falls back to a default rather than failing: a streamer pastes this URL
 * into OBS once and should not be punished for a typo in an optional parameter.
 */
export type Widget = 'alerts' | 'goal' | 'leaderboard';
export type Theme = 'default' | 'minimal';

export interface OverlayConfig {
  /** null when missing or not a valid handle: the page says so instead of connecting. */
  room: string | null;
  /** null: a viewer connection, which gets every gift but no test alerts. */
  token: string | null;
  widgets: ReadonlySet<Widget>;
  /** Alerts for combos worth fewer coins than this are not shown (the goal and leaderboard still count them). */
  minCoins: number;
  sound: boolean;
  theme: Theme;
}

const WIDGETS: readonly Widget[] = ['alerts', 'goal', 'leaderboard'];
const THEMES: readonly Theme[] = ['default', 'minimal'];
const HANDLE = /^[a-z0-9_]{3,24}$/;

export function parseConfig(search: string): OverlayConfig {
  const q = new URLSearchParams(search);
  const room = (q.get('room') ?? '').trim().replace(/^@/, '').toLowerCase();
  const token = q.get('token')?.trim() || null;
  const asked = (q.get('widgets') ?? '')
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w): w is Widget => (WIDGETS as readonly string[]).includes(w));
  const minCoins = Number(q.get('minCoins'));
  const theme = q.get('theme')?.toLowerCase() as Theme;
  return {
    room: HANDLE.test(room) ? room : null,
    token,
    widgets: new Set(asked.length ? asked : WIDGETS),
    minCoins: Number.isSafeInteger(minCoins) && minCoins > 0 ? minCoins : 1,
    sound: ['1', 'true', 'on', 'yes'].includes((q.get('sound') ?? '').toLowerCase()),
    theme: THEMES.includes(theme) ? theme : 'default',
  };
}
