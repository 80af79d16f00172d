import { now } from '../clock';

/**
 * A Durable Object's alarm, remembered as last set: asking for a time at or after the one already set
 * costs no storage call, which matters on paths every gift takes. Call `fired()` first in `alarm()`.
 */
export class Alarm {
  private at: number | null | undefined = undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Whether an alarm is known to be set. */
  get set(): boolean {
    return typeof this.at === 'number';
  }

  fired(): void {
    this.at = null;
  }

  /** Deletes the alarm. Forgotten first, so a `wakeAt` meanwhile sets it again (after the delete). */
  async clear(): Promise<void> {
    if (this.at === null) return;
    this.at = null;
    await this.storage.deleteAlarm();
  }

  /** Sets the alarm for `due` on the one clock (so tests can move it), unless it is already due sooner. */
  async wakeAt(due: number): Promise<void> {
    if (!Number.isFinite(due)) return;
    const real = Date.now() + Math.max(0, due - now());
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    if (this.at !== null && this.at <= real) return;
    this.at = real;
    await this.storage.setAlarm(real);
  }
}

/**
 * Work that runs one round at a time: a call while a round runs asks for one more round after it instead
 * of starting a second runner. Each round answers when it wants to run next (Infinity: not before asked);
 * `run` answers the last round's wish, and Infinity to a call that only asked for another round.
 */
export class Rounds {
  private running = false;
  private again = false;

  get busy(): boolean {
    return this.running;
  }

  async run(round: () => Promise<number>): Promise<number> {
    if (this.running) {
      this.again = true;
      return Infinity;
    }
    this.running = true;
    let next = Infinity;
    try {
      do {
        this.again = false;
        next = await round();
      } while (this.again);
    } finally {
      this.running = false;
    }
    return next;
  }
}
