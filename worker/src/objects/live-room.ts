import { DurableObject } from 'cloudflare:workers';
import { monotonicFactory } from 'ulidx';
import { CREDIT_DELAY_MS, RoomBook, type GiftPayload, type LiveState } from '@giftstream/shared';
import { now } from '../clock';
import { randomToken } from '../crypto';
import type { Env } from '../env';
import { fault } from '../faults';
import { getWallet } from '../stubs';
import { meterObject } from '../meter';
import { Alarm } from './alarm';
import { RoomHub, type HubRoom } from './room-hub';
import { SqlRoomStore } from './room-store';
import type { LiveRoomRpc } from './rpc';

/** Gifts from one wallet's delivery, waiting for the next frame to be logged; then the wallet is answered. */
interface Delivery {
  gifts: GiftPayload[];
  logged: (ids: string[]) => void;
  failed: (e: unknown) => void;
}

/**
 * One creator's live room. A thin shell: RoomBook (shared/src/room/book.ts) decides and stores, over
 * SQLite (room-store.ts); RoomHub (room-hub.ts) holds the sockets and frames. The shell owns time: it
 * batches deliveries into the next frame, holds back the leaderboard and goal by a timer, and runs the
 * alarm that ends combos and credits the creator's wallet. A gift is acknowledged once it is logged, which
 * queues its diamonds (the log after the credit cursor); they are credited in batches, one wallet call per
 * batch, not per gift.
 */
export class LiveRoom extends DurableObject<Env> implements LiveRoomRpc {
  private readonly book: RoomBook;
  private readonly hub: RoomHub;
  /** Whenever it is set, nothing it serves (credits, combo ends) is due before it. */
  private readonly alarmClock: Alarm;
  private inbox: Delivery[] = [];
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private crediting = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    meterObject(this, 'LiveRoom', ctx, env);
    const store = new SqlRoomStore(ctx.storage);
    this.book = new RoomBook(store, monotonicFactory());
    this.alarmClock = new Alarm(ctx.storage);
    const room: HubRoom = {
      beforeFrame: () => this.logInbox(),
      lastSeq: () => this.book.lastSeq,
      overlayToken: () => this.book.overlayTokenIfSet(),
      welcome: (since) => {
        const replay = since === null ? [] : this.book.eventsSince(since);
        const { live, goal, leaderboard } = this.book.snapshot();
        return { live, goal, leaderboard, replay };
      },
    };
    this.hub = new RoomHub(ctx, { perRoom: Number(env.WS_PER_ROOM), perAddress: Number(env.WS_PER_ADDRESS) }, room);
    void ctx.blockConcurrencyWhile(async () => store.migrate());
  }

  // ---- creator controls ----

  liveState(): LiveState {
    return this.book.liveState();
  }

  setLive(live: boolean, title: string | null): LiveState {
    const { state, events } = this.book.setLive(live, title, now());
    this.hub.broadcast(events);
    return state;
  }

  setGoal(goal: { label: string; coins: number } | null) {
    const r = this.book.setGoal(goal, now());
    this.hub.broadcast(r.events);
    return r.goal;
  }

  /** The overlay token, created on first use; `rotate` replaces it and closes every overlay socket. */
  overlayToken(rotate: boolean): string {
    const token = this.book.overlayToken(rotate, () => randomToken('ot_'));
    if (rotate) this.hub.closeOverlays('overlay token rotated');
    return token;
  }

  /** A test gift on overlay connections only; nothing is stored and no money moves. */
  testAlert(from: string): void {
    this.hub.testAlert(from);
  }

  /** A saved overlay configuration, to overlay connections only; D1 keeps the config, nothing is stored here. */
  pushOverlayConfig(revision: number, config: unknown): void {
    this.hub.toOverlays({ type: 'config', revision, config });
  }

  setBlockedWords(words: string[]): string[] {
    return this.book.setBlockedWords(words);
  }

  moderation() {
    return this.book.moderation();
  }

  // ---- gifts ----

  /**
   * Takes gifts from a viewer's wallet; answers, once they are logged and their diamonds queued, with the
   * transfer ids it holds, which includes gifts it had already logged (a retried delivery), so the wallet
   * settles them either way. Deliveries arriving together are logged together, with the next frame.
   */
  async receiveGifts(gifts: GiftPayload[]): Promise<string[]> {
    if (fault(this.env, 'roomRefusesDelivery')) throw new Error('injected: room refused a delivery');
    // Set before the gifts are logged, so their credits are made even if the room restarts right after.
    // Combo ends are due later; the alarm reschedules itself for them.
    await this.alarmClock.wakeAt(now() + CREDIT_DELAY_MS);
    return new Promise((logged, failed) => {
      this.inbox.push({ gifts, logged, failed });
      this.hub.frameSoon();
    });
  }

  /**
   * Logs the gifts waiting in the inbox (one transaction, one commit for the lot) into the frame about to
   * go out; their wallets are answered once it is sent.
   */
  private logInbox(): { after?: () => void; stop?: boolean } | undefined {
    let deliveries = this.inbox;
    this.inbox = [];
    if (!deliveries.length) return undefined;
    try {
      this.logGifts(deliveries.flatMap((d) => d.gifts));
    } catch {
      // One bad delivery must not hold up the others: each is tried alone, and only the bad one fails.
      deliveries = deliveries.filter((d) => {
        try {
          this.logGifts(d.gifts);
          return true;
        } catch (e) {
          d.failed(e);
          return false;
        }
      });
    }
    if (deliveries.length && fault(this.env, 'roomRestartsAfterLogging')) {
      // Abort drops writes that are not yet confirmed; wait for them, so the restart comes after the logging.
      void this.ctx.storage.sync().then(() => this.ctx.abort('injected: room restarted after logging'));
      return { stop: true };
    }
    return {
      after: () => {
        for (const d of deliveries) d.logged(d.gifts.map((g) => g.transferId));
      },
    };
  }

  private logGifts(gifts: GiftPayload[]): void {
    const { events, stateDueAt } = this.book.logGifts(gifts, now());
    this.hub.broadcast(events);
    if (stateDueAt !== null) this.stateSoon(stateDueAt);
  }

  /** Sends the state a burst left behind once its interval has passed. */
  private stateSoon(due: number): void {
    this.stateTimer ??= setTimeout(
      () => {
        this.stateTimer = null;
        this.hub.broadcast(this.book.emitState(now()));
      },
      Math.max(0, due - now()),
    );
  }

  override async alarm(): Promise<void> {
    this.alarmClock.fired();
    const waiting = new Set(this.inbox.flatMap((d) => d.gifts.map((g) => g.combo?.id)));
    this.hub.broadcast(this.book.endDueCombos(now(), waiting));
    this.hub.broadcast(this.book.emitState(now()));
    await this.creditCreator();
    // One alarm serves the credit queue and the combo timers: it is set for whichever is due first.
    await this.alarmClock.wakeAt(this.book.nextWake());
  }

  /** Credits the gifts after the cursor to the creator's wallet in batches; each is deduped there by transfer id. */
  private async creditCreator(): Promise<void> {
    if (this.crediting) return;
    this.crediting = true;
    try {
      for (;;) {
        const batch = this.book.creditBatch(now());
        if (!batch) return;
        try {
          await getWallet(this.env, batch.creator).creditGifts(batch.id, batch.items);
          this.book.credited(batch);
        } catch (e) {
          console.warn('crediting the creator failed; retrying', String(e));
          this.book.creditFailed(batch, now());
          return;
        }
        // Gifts logged while this batch was out wait for the next round.
        if (!batch.full) return;
      }
    } finally {
      this.crediting = false;
    }
  }

  // ---- reads ----

  snapshot() {
    return this.book.snapshot();
  }

  earnings() {
    return this.book.earnings();
  }

  // ---- sockets ----

  override async fetch(request: Request): Promise<Response> {
    return this.hub.accept(request);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.hub.message(ws, message);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    this.hub.closed(ws, code);
  }
}
