import type { GoalState, LeaderboardEntry, RoomEvent } from '@giftstream/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AlertQueue, type Alert } from './alert-queue';
import type { OverlayConfig } from './config';
import { RoomConnection, type ConnectionOptions, type ConnectionStatus } from './connection';
import { createSound, type Sound } from './sound';
import { browserSpeaker, onAlertRaised, onAlertShown, type EffectsContext, type Speaker } from './alert-effects';
import { alertStyle, lookOfAlert } from './looks';
import { allOverrides, effective, type UrlOverrides } from './settings';
import { useRoomSettings } from './use-room-settings';
import { Alerts } from './widgets/alerts';
import { Goal } from './widgets/goal';
import { Leaderboard } from './widgets/leaderboard';

export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;
/** The status dot appears only after the room has been unreachable this long. */
export const STATUS_DOT_AFTER_MS = 3_000;

export interface OverlayProps {
  config: OverlayConfig;
  /** Where the API lives; the overlay is served from the same origin. */
  origin?: string;
  WebSocket?: ConnectionOptions['WebSocket'];
  fetch?: typeof fetch;
  now?: () => number;
  sound?: Sound;
  /** The URL parameters that override the saved configuration; without it, every URL field does. */
  overrides?: UrlOverrides;
  /** Text-to-speech; the browser's speech synthesis unless given (null: none). */
  speaker?: Speaker | null;
}

/**
 * Read-only figures for benchmarks and support (`window.__giftstream` in the page): gift events applied
 * and the longest the alert queue has been.
 */
export const diagnostics = { connected: false, stats: { gifts: 0, peakQueue: 0 } };
if (typeof window !== 'undefined')
  (window as unknown as { __giftstream: typeof diagnostics }).__giftstream = diagnostics;

export function eventsUrl(origin: string, room: string, token: string | null, since: number | null): string {
  const url = new URL(`/v1/rooms/${encodeURIComponent(room)}/events`, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (since !== null) url.searchParams.set('since', String(since));
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

export function Overlay(props: OverlayProps) {
  const { config } = props;
  const fit = useFit();
  let body: ComponentChildren;
  if (!config.room) {
    body = (
      <Notice title="Which room should this overlay show?">
        Add <code>?room=YOUR_HANDLE&amp;token=…</code> to the address, or copy the overlay URL from the Giftstream
        creator popup.
      </Notice>
    );
  } else body = <Room {...props} room={config.room} />;
  return (
    <div
      class={`overlay theme-${config.theme}`}
      style={{
        width: `${DESIGN_WIDTH}px`,
        height: `${DESIGN_HEIGHT}px`,
        transform: `translate(${fit.x}px, ${fit.y}px) scale(${fit.k})`,
      }}
    >
      {body}
    </div>
  );
}

function Room({
  config,
  room,
  origin = location.origin,
  WebSocket,
  fetch: fetchImpl = (...a) => fetch(...a),
  now = Date.now,
  sound,
  overrides,
  speaker,
}: OverlayProps & { room: string }) {
  const [, setVersion] = useState(0);
  const [saved, loadSettings, applySettings] = useRoomSettings(origin, room, fetchImpl);
  const eff = effective(saved.config, overrides ?? allOverrides(config));
  const live = useRef(eff);
  live.current = eff;
  const [goal, setGoal] = useState<GoalState>(null);
  const [board, setBoard] = useState<readonly LeaderboardEntry[]>([]);
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', since: now() });
  const [dot, setDot] = useState(false);
  const chime = useMemo(() => sound ?? createSound(eff.sounds), [sound, eff.sounds]);
  const talker = useMemo(() => (speaker === undefined ? browserSpeaker() : speaker), [speaker]);
  const fx = useRef<EffectsContext>(null as never);
  fx.current = { origin, sounds: eff.sounds, tts: eff.settings.tts, chime, speaker: talker };
  // One queue for the room's life: a saved configuration changes how alerts look and sound, not what is queued.
  const queue = useMemo(() => {
    const look = (a: Alert) => lookOfAlert(live.current.settings, a);
    return new AlertQueue({
      minCoins: eff.minCoins,
      onShow: (a) => onAlertShown(a, look(a), fx.current),
      onRaise: (a) => onAlertRaised(look(a), fx.current),
      holdOf: (a) => look(a).durationMs,
    });
  }, []);
  queue.minCoins = eff.minCoins;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const pump = () => {
      const t = now();
      queue.tick(t);
      setVersion((v) => v + 1);
      if (timer.current) clearTimeout(timer.current);
      const wake = queue.nextWake(t);
      timer.current = wake === null ? null : setTimeout(pump, Math.max(16, wake - t));
    };
    const apply = (events: RoomEvent[]) => {
      for (const e of events) {
        switch (e.type) {
          case 'hello':
            // Saves made while this overlay was away arrive with the room's config on every (re)connect.
            loadSettings();
            setGoal(e.goal);
            setBoard(e.leaderboard);
            break;
          case 'gift':
            diagnostics.stats.gifts++;
            if (live.current.widgets.has('alerts')) queue.gift(e, now());
            break;
          case 'test':
            if (live.current.widgets.has('alerts')) queue.gift({ ...e, test: true }, now());
            break;
          case 'config':
            applySettings(e.revision, e.config);
            break;
          case 'combo_end':
            queue.comboEnd(e, now());
            break;
          case 'goal':
            setGoal(e.goal);
            break;
          case 'leaderboard':
            setBoard(e.leaderboard);
            break;
        }
      }
      diagnostics.stats.peakQueue = Math.max(
        diagnostics.stats.peakQueue,
        queue.waiting('toast').length + queue.waiting('stage').length,
      );
      pump();
    };
    const connection = new RoomConnection({
      url: (since) => eventsUrl(origin, room, config.token, since),
      onEvents: apply,
      onStatus: (s) => {
        diagnostics.connected = s.state === 'open';
        setStatus(s);
      },
      onFailures: async () =>
        (await fetchImpl(new URL(`/v1/rooms/${encodeURIComponent(room)}`, origin))).status === 404
          ? 'room_missing'
          : null,
      WebSocket,
      now,
    });
    connection.start();
    return () => {
      connection.close();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [room, config.token, origin]);

  useEffect(() => {
    if (status.state === 'open' || status.state === 'stopped') {
      setDot(false);
      return;
    }
    const t = setTimeout(() => setDot(true), Math.max(0, status.since + STATUS_DOT_AFTER_MS - now()));
    return () => clearTimeout(t);
  }, [status]);

  if (status.state === 'stopped') {
    return status.reason === 'bad_token' ? (
      <Notice title="This overlay link is no longer valid">
        Its token is wrong or was rotated, so it will not reconnect. Copy the current overlay URL from the Giftstream
        creator popup and paste it into this browser source.
      </Notice>
    ) : (
      <Notice title={`There is no Giftstream room @${room}`}>
        Check the room in this overlay's address, or copy the overlay URL again from the creator popup.
      </Notice>
    );
  }
  return (
    <div class={`theme-${eff.theme}`} data-revision={saved.revision}>
      {eff.widgets.has('goal') && <Goal goal={goal} />}
      {eff.widgets.has('leaderboard') && <Leaderboard entries={board} />}
      {eff.widgets.has('alerts') && (
        <Alerts queue={queue} styleOf={(a) => alertStyle(lookOfAlert(eff.settings, a), origin)} />
      )}
      {dot && <div class="status-dot" role="status" title="Reconnecting to Giftstream…" />}
    </div>
  );
}

function Notice({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="notice" role="alert">
      <div class="notice-title">{title}</div>
      <div class="notice-body">{children}</div>
    </div>
  );
}

/** Scales the 1920×1080 design to the browser source's size, centred, keeping its aspect. */
function useFit() {
  const measure = () => {
    const k = Math.min(innerWidth / DESIGN_WIDTH, innerHeight / DESIGN_HEIGHT) || 1;
    return { k, x: (innerWidth - DESIGN_WIDTH * k) / 2, y: (innerHeight - DESIGN_HEIGHT * k) / 2 };
  };
  const [fit, setFit] = useState(measure);
  useEffect(() => {
    const onResize = () => setFit(measure());
    addEventListener('resize', onResize);
    return () => removeEventListener('resize', onResize);
  }, []);
  return fit;
}
