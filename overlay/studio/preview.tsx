import { findGift, tierOf, type GoalState, type LeaderboardEntry, type OverlaySettings } from '@giftstream/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browserSpeaker, onAlertRaised, onAlertShown, type EffectsContext } from '../src/alert-effects';
import { AlertQueue, type Alert, type GiftInput } from '../src/alert-queue';
import { alertStyle, lookOfAlert } from '../src/looks';
import { createSound } from '../src/sound';
import { Alerts } from '../src/widgets/alerts';
import { Goal } from '../src/widgets/goal';
import { Leaderboard } from '../src/widgets/leaderboard';

const DESIGN_WIDTH = 1920;
const DESIGN_HEIGHT = 1080;

export const BACKGROUNDS = {
  game: 'A dark game',
  bright: 'A bright scene',
  green: 'Green screen',
  checker: 'Transparent',
} as const;
type Background = keyof typeof BACKGROUNDS;

/** One gift of each tier, as the preview sends them. */
export const SAMPLES = { small: 'rose', medium: 'trophy', large: 'sports_car', epic: 'galaxy' } as const;
const SENDERS = ['Ada', 'Bo', 'Chen', 'Dee'];
let seq = 0;

function sample(giftId: string, over: Partial<GiftInput> = {}): GiftInput {
  const g = findGift(giftId)!;
  const id = `preview_${++seq}`;
  return {
    id,
    from: SENDERS[seq % SENDERS.length]!,
    giftId,
    name: g.name,
    tier: tierOf(g.coins),
    coins: g.coins,
    count: 1,
    combo: { id: `combo_${id}`, count: 1 },
    total: g.coins,
    message: g.coins >= 100 ? 'Love the stream, keep going!' : undefined,
    ...over,
  };
}

/** The queue the preview plays, driven by real timers like the overlay's. */
function usePreviewQueue(config: OverlaySettings) {
  const live = useRef(config);
  live.current = config;
  const [, setVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const chime = useMemo(() => createSound(true), []);
  const speaker = useMemo(() => browserSpeaker(), []);
  const fx = (): EffectsContext => ({
    origin: location.origin,
    sounds: live.current.sounds,
    tts: live.current.tts,
    chime: live.current.sounds ? chime : { play() {} },
    speaker,
  });
  const queue = useMemo(() => {
    const look = (a: Alert) => lookOfAlert(live.current, a);
    return new AlertQueue({
      onShow: (a) => onAlertShown(a, look(a), fx()),
      onRaise: (a) => onAlertRaised(look(a), fx()),
      holdOf: (a) => look(a).durationMs,
    });
  }, []);
  const pump = () => {
    const t = Date.now();
    queue.tick(t);
    setVersion((v) => v + 1);
    if (timer.current) clearTimeout(timer.current);
    const wake = queue.nextWake(t);
    timer.current = wake === null ? null : setTimeout(pump, Math.max(16, wake - t));
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return { queue, pump };
}

export function Preview({ config }: { config: OverlaySettings }) {
  const [background, setBackground] = useState<Background>('game');
  const [goal, setGoal] = useState<GoalState>(null);
  const [board, setBoard] = useState<LeaderboardEntry[]>([]);
  const { queue, pump } = usePreviewQueue(config);
  const box = useRef<HTMLDivElement>(null);
  const [k, setK] = useState(0.4);
  useEffect(() => {
    const fit = () => box.current && setK(box.current.clientWidth / DESIGN_WIDTH);
    fit();
    addEventListener('resize', fit);
    return () => removeEventListener('resize', fit);
  }, []);

  const send = (g: GiftInput) => {
    queue.gift(g, Date.now());
    pump();
  };
  const combo = () => {
    const first = sample('heart', { from: 'Combo Kid' });
    send(first);
    [2, 5, 9].forEach((n, i) => {
      const more = { ...first, id: `${first.id}_${n}`, count: n - 1, combo: { id: first.combo.id, count: n } };
      setTimeout(() => send(more), 700 * (i + 1));
    });
  };
  const goalStep = () =>
    setGoal((g) => ({ label: 'New microphone', target: 5000, progress: Math.min(5000, (g?.progress ?? 1500) + 1200) }));
  const boardStep = () =>
    setBoard((b) =>
      (b.length
        ? b.map((e, i) => ({ ...e, coins: e.coins + (i === b.length - 1 ? 3000 : 100) }))
        : SENDERS.map((name, i) => ({ name, coins: 4000 - i * 900 }))
      ).sort((x, y) => y.coins - x.coins),
    );
  const all = () => {
    for (const id of Object.values(SAMPLES)) send(sample(id));
    combo();
    goalStep();
    boardStep();
  };
  const eff = config.widgets;
  return (
    <section class="preview" aria-label="Preview">
      <div class="preview-bar">
        {(Object.entries(SAMPLES) as [keyof typeof SAMPLES, string][]).map(([tier, id]) => (
          <button key={tier} type="button" onClick={() => send(sample(id))}>
            {tier[0]!.toUpperCase() + tier.slice(1)}
          </button>
        ))}
        <button type="button" onClick={combo}>
          Combo
        </button>
        <button type="button" onClick={goalStep}>
          Goal
        </button>
        <button type="button" onClick={boardStep}>
          Leaderboard
        </button>
        <button type="button" class="secondary" onClick={all}>
          Play all
        </button>
        <label class="grow-right">
          Background{' '}
          <select
            aria-label="Background"
            value={background}
            onChange={(e) => setBackground(e.currentTarget.value as Background)}
          >
            {Object.entries(BACKGROUNDS).map(([v, name]) => (
              <option key={v} value={v}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class={`preview-screen bg-${background}`} ref={box} style={{ height: `${DESIGN_HEIGHT * k}px` }}>
        <div
          class={`overlay theme-${config.theme}`}
          style={{
            width: `${DESIGN_WIDTH}px`,
            height: `${DESIGN_HEIGHT}px`,
            transform: `scale(${k})`,
            position: 'absolute',
          }}
        >
          {eff.includes('goal') && <Goal goal={goal} />}
          {eff.includes('leaderboard') && <Leaderboard entries={board} />}
          {eff.includes('alerts') && (
            <Alerts queue={queue} styleOf={(a) => alertStyle(lookOfAlert(config, a), location.origin)} />
          )}
        </div>
      </div>
    </section>
  );
}
