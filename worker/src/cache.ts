/** Takes work that the code starting it does not wait for there (`alongside` holds the request's reply until it is done). */
export type Background = (work: Promise<unknown>) => void;

/**
 * A small per-isolate cache with a time to live. The directory (D1) is one database: asking it on every
 * gift made it the bottleneck of the gift path. What is cached here may be stale for at most `ttlMs` in
 * other isolates; the isolate that makes a change forgets the entry at once.
 *
 * Given a `background`, a read late in an entry's life (past a point drawn between 80% and 95% of it, so
 * entries loaded together do not reload together) answers from the cache and starts the reload, which
 * runs alongside the rest of that request: requests that keep an entry in use never wait for D1. No
 * value is served once `ttlMs` has passed since it was read.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; until: number; refreshAt: number }>();
  /**
   * The latest read of each key still under way. A request that misses reads for itself rather than
   * wait for another request's read: workerd cancels a promise with the request that made it, so one
   * request cut off mid-read (its client gone) would fail every request waiting on it. Only the latest
   * read is kept, and none that started before a forget.
   */
  private reading = new Map<string, object>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** `background` takes the reload a read late in the entry's life starts (see above); without it, entries reload only once expired. */
  async get(key: string, load: () => Promise<V>, background?: Background): Promise<V> {
    const hit = this.entries.get(key);
    const t = Date.now();
    if (!hit || hit.until <= t) return this.read(key, load);
    // One reload at a time. One cut off with its request never ends, but the miss after expiry replaces it.
    if (background && hit.refreshAt <= t && !this.reading.has(key)) background(this.read(key, load).catch(() => {}));
    return hit.value;
  }

  private async read(key: string, load: () => Promise<V>): Promise<V> {
    const mine = {};
    this.reading.set(key, mine);
    try {
      const value = await load();
      // Forgotten while reading: what was read may predate the change, so it is not kept.
      if (this.reading.get(key) === mine) {
        if (!this.entries.delete(key) && this.entries.size >= this.max)
          this.entries.delete(this.entries.keys().next().value!);
        const t = Date.now();
        this.entries.set(key, {
          value,
          until: t + this.ttlMs,
          refreshAt: t + this.ttlMs * (0.8 + (Math.random() * 3) / 20),
        });
      }
      return value;
    } finally {
      if (this.reading.get(key) === mine) this.reading.delete(key);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
    this.reading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.reading.clear();
  }
}
