import type { GoalState, LeaderboardEntry, RoomEvent } from '@giftstream/shared';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AlertQueue } from './alert-queue';
import type { OverlayConfig } from './config';
import { RoomConnection, type ConnectionOptions, type ConnectionStatus } from './connection';
import { createSound, type Sound } from './sound';
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
}: OverlayProps & { room: string }) {
  const chime = useMemo(() => sound ?? createSound(config.sound), [sound, config.sound]);
  const queue = useMemo(
    () => new AlertQueue({ minCoins: config.minCoins, onShow: (a) => chime.play(a.tier) }),
    [config.minCoins, chime],
  );
  const { goal, board, status } = useRoomFeed({ config, room, origin, WebSocket, fetchImpl, now, queue });
  const dot = useStatusDot(status, now);

  if (status.state === 'stopped') return <Stopped reason={status.reason} room={room} />;
  return (
    <>
      {config.widgets.has('goal') && <Goal goal={goal} />}
      {config.widgets.has('leaderboard') && <Leaderboard entries={board} />}
      {config.widgets.has('alerts') && <Alerts queue={queue} />}
      {dot && <div class="status-dot" role="status" title="Reconnecting to Giftstream…" />}
    </>
  );
}

interface FeedOptions {
  config: OverlayConfig;
  room: string;
  origin: string;
  WebSocket: ConnectionOptions['WebSocket'];
  fetchImpl: typeof fetch;
  now: () => number;
  queue: AlertQueue;
}

/**
 * The room's events as they arrive: gifts go into the alert queue (re-rendered and woken again when it next
 * changes), the goal and leaderboard become state, and the connection's status is kept for the notices.
 */
function useRoomFeed({ config, room, origin, WebSocket, fetchImpl, now, queue }: FeedOptions) {
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
      for (const e of events) applyEvent(e, { config, queue, now, setGoal, setBoard });
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
  config: OverlayConfig;
  queue: AlertQueue;
  now: () => number;
  setGoal(goal: GoalState): void;
  setBoard(board: readonly LeaderboardEntry[]): void;
}

function applyEvent(e: RoomEvent, { config, queue, now, setGoal, setBoard }: EventTargets) {
  switch (e.type) {
    case 'hello':
      setGoal(e.goal);
      setBoard(e.leaderboard);
      break;
    case 'gift':
      diagnostics.stats.gifts++;
      if (config.widgets.has('alerts')) queue.gift(e, now());
      break;
    case 'test':
      if (config.widgets.has('alerts')) queue.gift({ ...e, test: true }, now());
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
