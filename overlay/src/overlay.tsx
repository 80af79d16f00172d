import type { GoalState, LeaderboardEntry, RoomEvent } from '@giftstream/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browserSpeaker, onAlertRaised, onAlertShown, type EffectsContext, type Speaker } from './alert-effects';
import { AlertQueue, type Alert } from './alert-queue';
import type { OverlayConfig } from './config';
import { RoomConnection, type ConnectionOptions, type ConnectionStatus } from './connection';
import { alertStyle, lookOfAlert } from './looks';
import { allOverrides, effective, type Effective, type UrlOverrides } from './settings';
import { createSound, type Sound } from './sound';
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
  const [saved, loadSettings, applySettings] = useRoomSettings(origin, room, fetchImpl);
  const eff = effective(saved.config, overrides ?? allOverrides(config));
  const live = useRef(eff);
  live.current = eff;
  const queue = useLookedQueue(eff, live, origin, sound, speaker);
  const { goal, board, status } = useRoomFeed({
    config,
    room,
    origin,
    WebSocket,
    fetchImpl,
    now,
    queue,
    live,
    onHello: loadSettings,
    onConfig: applySettings,
  });
  const dot = useStatusDot(status, now);

  if (status.state === 'stopped') return <Stopped reason={status.reason} room={room} />;
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

/**
 * One alert queue for the room's life, playing each alert in its look (the saved configuration, read through
 * `live` so a save changes how alerts look and sound without losing what is queued).
 */
function useLookedQueue(
  eff: Effective,
  live: { current: Effective },
  origin: string,
  sound: Sound | undefined,
  speaker: Speaker | null | undefined,
): AlertQueue {
  const chime = useMemo(() => sound ?? createSound(eff.sounds), [sound, eff.sounds]);
  const talker = useMemo(() => (speaker === undefined ? browserSpeaker() : speaker), [speaker]);
  const fx = useRef<EffectsContext>(null as never);
  fx.current = { origin, sounds: eff.sounds, tts: eff.settings.tts, chime, speaker: talker };
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
  return queue;
}

interface FeedOptions {
  config: OverlayConfig;
  room: string;
  origin: string;
  WebSocket: ConnectionOptions['WebSocket'];
  fetchImpl: typeof fetch;
  now: () => number;
  queue: AlertQueue;
  /** The settings in force, read when each event arrives. */
  live: { current: Effective };
  /** Every (re)connect: the room's saved configuration is read again. */
  onHello(): void;
  onConfig(revision: number, config: unknown): void;
}

/**
 * The room's events as they arrive: gifts go into the alert queue (re-rendered and woken again when it next
 * changes), the goal and leaderboard become state, and the connection's status is kept for the notices.
 */
function useRoomFeed({ config, room, origin, WebSocket, fetchImpl, now, queue, live, onHello, onConfig }: FeedOptions) {
  const [, setVersion] = useState(0);
  const [goal, setGoal] = useState<GoalState>(null);
  const [board, setBoard] = useState<readonly LeaderboardEntry[]>([]);
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', since: now() });
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
      for (const e of events) applyEvent(e, { live, queue, now, setGoal, setBoard, onHello, onConfig });
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

  return { goal, board, status };
}

interface EventTargets {
  live: { current: Effective };
  queue: AlertQueue;
  onHello(): void;
  onConfig(revision: number, config: unknown): void;
  now: () => number;
  setGoal(goal: GoalState): void;
  setBoard(board: readonly LeaderboardEntry[]): void;
}

function applyEvent(e: RoomEvent, { live, queue, now, setGoal, setBoard, onHello, onConfig }: EventTargets) {
  const alerts = live.current.widgets.has('alerts');
  switch (e.type) {
    case 'hello':
      // Saves made while this overlay was away: the room's config is read on every (re)connect.
      onHello();
      setGoal(e.goal);
      setBoard(e.leaderboard);
      break;
    case 'gift':
      diagnostics.stats.gifts++;
      if (alerts) queue.gift(e, now());
      break;
    case 'test':
      if (alerts) queue.gift({ ...e, test: true }, now());
      break;
    case 'config':
      onConfig(e.revision, e.config);
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

/** The reconnecting dot, shown only once the room has been unreachable for STATUS_DOT_AFTER_MS. */
function useStatusDot(status: ConnectionStatus, now: () => number): boolean {
  const [dot, setDot] = useState(false);
  useEffect(() => {
    if (status.state === 'open' || status.state === 'stopped') {
      setDot(false);
      return;
    }
    const t = setTimeout(() => setDot(true), Math.max(0, status.since + STATUS_DOT_AFTER_MS - now()));
    return () => clearTimeout(t);
  }, [status]);
  return dot;
}

/** Why the overlay stopped reconnecting, and what the streamer can do about it. */
function Stopped({ reason, room }: { reason: 'bad_token' | 'room_missing'; room: string }) {
  return reason === 'bad_token' ? (
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
