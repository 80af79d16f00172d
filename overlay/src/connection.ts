import { CLOSE_BAD_TOKEN, parseFrame, type RoomEvent } from '@giftstream/shared';

/**
 * The overlay's link to its room. It resumes with `since=<last seq>` after any drop, so a gift that
 * happened while it was away is replayed; and it applies each stored event exactly once, in seq order,
 * so a replay that overlaps what it already saw shows nothing twice.
 */
export type ConnectionStatus =
  | { state: 'connecting'; since: number }
  | { state: 'open' }
  | { state: 'down'; since: number }
  | { state: 'stopped'; reason: 'bad_token' | 'room_missing' };

export interface ConnectionOptions {
  /** The WebSocket URL for a connection resuming after `since` (null: a fresh start). */
  url(since: number | null): string;
  /**
   * Events to apply, in order, each stored event once. `hello` is only passed on when its snapshot is
   * the state to show (first connection, or the room could not replay what was missed).
   */
  onEvents(events: RoomEvent[]): void;
  onStatus(status: ConnectionStatus): void;
  /** Called after consecutive failed attempts; returning a reason stops retrying (e.g. the room does not exist). */
  onFailures?(failures: number): Promise<'room_missing' | null>;
  WebSocket?: { new (url: string): WebSocket };
  random?: () => number;
  now?: () => number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
const PING_EVERY_MS = 15_000;
/** No frame and no pong for this long: the socket is dead even if the browser has not noticed. */
const SILENT_LIMIT_MS = 40_000;
const PROBE_AFTER_FAILURES = 3;

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal" jitter. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class RoomConnection {
  /** The last stored event applied; null until the first hello. */
  lastSeq: number | null = null;
  private ws: WebSocket | null = null;
  private attempt = 0;
  /** Attempts in a row that never got a hello. */
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private stopped = false;
  /** When the overlay last lost its room; null while connected. */
  private downSince: number | null = null;
  private readonly Socket: { new (url: string): WebSocket };
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: ConnectionOptions) {
    this.Socket = opts.WebSocket ?? WebSocket;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.downSince = this.now();
    this.open();
  }

  /** Stops for good (page teardown); no reconnect follows. */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'overlay closed');
  }

  private open(): void {
    this.clearTimers();
    this.opts.onStatus({ state: 'connecting', since: this.downSince ?? this.now() });
    const ws = new this.Socket(this.opts.url(this.lastSeq));
    this.ws = ws;
    let greeted = false;
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.now();
      if (m.data === 'pong') return;
      let events: RoomEvent[];
      try {
        events = parseFrame(String(m.data));
      } catch (e) {
        // A frame we cannot read may hide a stored event: resume from the last one we applied.
        console.warn('overlay: unreadable frame, resuming', e);
        this.drop();
        return;
      }
      if (!greeted && events[0]?.type === 'hello') {
        greeted = true;
        this.attempt = 0;
        this.failures = 0;
        this.downSince = null;
        this.opts.onStatus({ state: 'open' });
      }
      const { fresh, gap } = this.accept(events);
      if (fresh.length) this.opts.onEvents(fresh);
      if (gap) this.drop();
    };
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.now();
      this.pingTimer = setInterval(() => this.heartbeat(ws), PING_EVERY_MS);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.stopped) return;
      if (e.code === CLOSE_BAD_TOKEN) {
        this.stopped = true;
        this.opts.onStatus({ state: 'stopped', reason: 'bad_token' });
        return;
      }
      if (!greeted) this.failures++;
      this.scheduleRetry();
    };
    // A failed connection also closes; retrying is handled there.
    ws.onerror = () => {};
  }

  /** Keeps stored events that come next in seq order; a hello decides where "next" starts. */
  private accept(events: RoomEvent[]): { fresh: RoomEvent[]; gap: boolean } {
    const out: RoomEvent[] = [];
    for (const e of events) {
      if (e.type === 'test' || e.type === 'config') {
        out.push(e);
      } else if (e.type === 'hello') {
        // The room's seq only falls behind ours if its storage was wiped (a fresh dev server).
        if (this.lastSeq === null || e.reset || e.seq < this.lastSeq) {
          this.lastSeq = e.seq;
          out.push(e);
        }
        // Otherwise this is a resume: the replay that follows brings the state up to the snapshot.
      } else if (this.lastSeq === null || e.seq <= this.lastSeq) {
        // Already applied (an overlapping replay), or before any hello: never show it twice.
      } else if (e.seq === this.lastSeq + 1) {
        this.lastSeq = e.seq;
        out.push(e);
      } else {
        // A missing seq: apply what came before it and resume from there to fetch the rest.
        return { fresh: out, gap: true };
      }
    }
    return { fresh: out, gap: false };
  }

  private heartbeat(ws: WebSocket): void {
    if (this.now() - this.lastFrameAt > SILENT_LIMIT_MS) {
      this.drop();
      return;
    }
    try {
      ws.send('ping');
    } catch {
      // closing; onclose takes over
    }
  }

  /** Abandons the current socket and resumes on a new one. */
  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    this.clearTimers();
    try {
      ws?.close(4000, 'resuming');
    } catch {
      // already closed
    }
    if (!this.stopped) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.downSince ??= this.now();
    this.opts.onStatus({ state: 'down', since: this.downSince });
    const failures = this.failures;
    const retry = () => {
      this.retryTimer = setTimeout(
        () => {
          this.retryTimer = null;
          if (!this.stopped) this.open();
        },
        reconnectDelay(this.attempt++, this.random),
      );
    };
    if (this.opts.onFailures && failures >= PROBE_AFTER_FAILURES && failures % PROBE_AFTER_FAILURES === 0) {
      this.opts.onFailures(failures).then(
        (reason) => {
          if (this.stopped) return;
          if (reason) {
            this.stopped = true;
            this.opts.onStatus({ state: 'stopped', reason });
          } else retry();
        },
        () => !this.stopped && retry(),
      );
    } else retry();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
  }
}
