import { monotonicFactory } from 'ulidx';
import {
  CLOSE_BAD_TOKEN,
  frameWait,
  PROTOCOL_VERSION,
  type GiftFields,
  type GoalState,
  type LeaderboardEntry,
  type LiveState,
  type RoomEvent,
  type StoredEvent,
} from '@giftstream/shared';
import { now } from '../clock';
import { timingSafeEqualText } from '../crypto';

const ulid = monotonicFactory();

interface SocketState {
  overlay: boolean;
}

/**
 * Events for overlay sockets only: never stored, they carry the room's current seq without taking one. A new
 * overlay-only event is a protocol type added to this union, sent with `toOverlays`.
 */
export type OverlayEvent = Extract<RoomEvent, { type: 'test' | 'config' }>;
export type OverlayEventBody = OverlayEvent extends infer E
  ? E extends OverlayEvent
    ? Omit<E, 'v' | 'seq' | 'at'>
    : never
  : never;

/** What a new socket is told first: the room as it stands, and the events after its `since`. */
export interface Welcome {
  live: LiveState;
  goal: GoalState;
  leaderboard: LeaderboardEntry[];
  /** Null when `since` is older than what the room keeps: the client starts over. */
  replay: StoredEvent[] | null;
}

/** What the hub needs of its room. */
export interface HubRoom {
  /**
   * Runs before each frame goes out, to put in it what is waiting (the room logs queued deliveries and
   * broadcasts their events). `after` runs once the frame is sent; `stop` sends nothing this time.
   */
  beforeFrame(): { after?: () => void; stop?: boolean } | undefined;
  lastSeq(): number;
  overlayToken(): string | null;
  welcome(since: number | null): Welcome;
}

export interface HubLimits {
  perRoom: number;
  perAddress: number;
}

/**
 * The 101 answer for a room socket, refusing per-message compression. The room sends each frame to
 * every socket, and deflating the same frame once per socket cost several times the rest of a gift
 * (bench scenario 2: p50 2.4 s with it, under 0.2 s without). workerd treats an empty header as unset
 * and negotiates from the client's offer; any other value that is not a permessage-deflate offer means
 * "agree to nothing", and the header never reaches the client.
 */
function upgraded(client: WebSocket): Response {
  return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-extensions': 'none' } });
}

function trySend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // A socket closing under us; it will not be sent to again.
  }
}

/**
 * A room's sockets (Hibernation API): accepting them (limits, overlay token, hello and resume with
 * `since`), frames that coalesce bursts of stored events, and events for overlays only. No storage: what
 * it sends comes from its room.
 */
export class RoomHub {
  private frame: RoomEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Sockets at the last frame; sets the next frame's interval. */
  private sockets = 0;
  /** When the last frame went out (real time): the next one waits for what is left of its interval. */
  private frameAt = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly limits: HubLimits,
    private readonly room: HubRoom,
  ) {}

  /** Sends stored events, after their transaction committed, with the next frame. */
  broadcast(events: readonly StoredEvent[]): void {
    if (!events.length) return;
    this.frame.push(...events);
    this.frameSoon();
  }

  /** Asks for a frame within its interval; the room fills it before it goes. */
  frameSoon(): void {
    this.timer ??= setTimeout(() => this.flush(), frameWait(this.sockets, Date.now() - this.frameAt));
  }

  /** Sends the frame now. Sends are held by the runtime until what the room wrote for it is durable. */
  flush(): void {
    // The room's work may broadcast; the timer is cleared after it, so that asks for no second frame.
    const work = this.room.beforeFrame();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (work?.stop) return;
    if (this.frame.length) {
      const data = JSON.stringify(this.frame.length === 1 ? this.frame[0] : this.frame);
      this.frame = [];
      const sockets = [...this.ctx.getWebSockets('overlay'), ...this.ctx.getWebSockets('viewer')];
      this.sockets = sockets.length;
      this.frameAt = Date.now();
      for (const ws of sockets) trySend(ws, data);
    }
    work?.after?.();
  }

  /**
   * An event for overlay sockets only, sent at once, after whatever is waiting (so it never jumps ahead
   * of a stored event). It is not stored and takes no seq: a resuming overlay does not get it again.
   */
  toOverlays(event: OverlayEventBody): void {
    this.flush();
    const data = JSON.stringify({ v: PROTOCOL_VERSION, seq: this.room.lastSeq(), at: now(), ...event });
    for (const ws of this.ctx.getWebSockets('overlay')) trySend(ws, data);
  }

  /** A test gift on overlay connections only; nothing is stored and no money moves. */
  testAlert(from: string): void {
    const gift: GiftFields = {
      id: `test_${ulid()}`,
      from,
      giftId: 'rocket',
      name: 'Rocket',
      tier: 'epic',
      coins: 10_000,
      count: 1,
      combo: { id: `test_${ulid()}`, count: 1 },
      total: 10_000,
      message: 'This is a test alert',
    };
    this.toOverlays({ type: 'test', test: true, ...gift });
  }

  /** The overlay token changed: every overlay socket is closed with the code that tells it not to retry. */
  closeOverlays(reason: string): void {
    for (const ws of this.ctx.getWebSockets('overlay')) ws.close(CLOSE_BAD_TOKEN, reason);
  }

  private tooMany(address: string): string | null {
    if (this.ctx.getWebSockets().length >= this.limits.perRoom) return 'This room has as many connections as it takes.';
    if (this.ctx.getWebSockets(`addr:${address}`).length >= this.limits.perAddress)
      return 'Too many connections to this room from your address.';
    return null;
  }

  /** A socket asking to join: `token` makes it an overlay's, `since` resumes after that seq. */
  accept(request: Request): Response {
    const url = new URL(request.url);
    const token = url.searchParams.get('token');
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam !== null && /^\d{1,15}$/.test(sinceParam) ? Number(sinceParam) : null;
    const address = request.headers.get('cf-connecting-ip') ?? 'local';
    const tooMany = this.tooMany(address);
    if (tooMany) {
      return new Response(JSON.stringify({ error: { code: 'rate_limited', message: tooMany } }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '10' },
      });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    const overlay = token !== null;
    // Whatever is waiting to go out is sent first, so this socket's replay and the live stream never overlap.
    this.flush();
    const expected = this.room.overlayToken();
    if (overlay && (!expected || !timingSafeEqualText(token, expected))) {
      // Accepted, then closed with a code that tells the overlay not to retry.
      this.ctx.acceptWebSocket(server, ['rejected', `addr:${address}`]);
      server.close(CLOSE_BAD_TOKEN, 'invalid overlay token');
      return upgraded(client);
    }
    this.ctx.acceptWebSocket(server, [overlay ? 'overlay' : 'viewer', `addr:${address}`]);
    server.serializeAttachment({ overlay } satisfies SocketState);
    const { live, goal, leaderboard, replay } = this.room.welcome(since);
    server.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        seq: this.room.lastSeq(),
        type: 'hello',
        at: now(),
        live,
        goal,
        leaderboard,
        ...(replay === null ? { reset: true } : {}),
      }),
    );
    if (replay?.length) server.send(JSON.stringify(replay));
    return upgraded(client);
  }

  message(ws: WebSocket, message: string | ArrayBuffer): void {
    // Clients only listen; a ping gets a pong so they can tell a dead connection from a quiet room.
    if (message === 'ping') ws.send('pong');
  }

  closed(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
  }
}
