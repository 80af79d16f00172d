/** Takes work the caller does not wait for where it starts it (a request holds its reply until it is done: see `alongside`). */
export type Background = (work: Promise<unknown>) => void;

/**
 * A small per-isolate cache with a time to live. The directory (D1) is one database: asking it on every
 * gift made it the bottleneck of the gift path. What is cached here may be stale for at most `ttlMs` in
 * other isolates; the isolate that makes a change forgets the entry at once.
 *
 * Given a `background`, a read late in an entry's life (past a point drawn between 80% and 95% of it, so
 * entries loaded together do not reload together) answers from the cache and starts the reload, which
 * runs alongside the rest of that request. Requests that keep an entry in use then never stand in line
 * for D1 behind the reload; without one, every request arriving while an expired entry was read again
 * waited for it. No value is served once `ttlMs` has passed since it was read.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; until: number; refreshAt: number }>();
  /** Loads in flight: requests that miss together ask D1 once (a busy room's gifts all miss when an entry expires). */
  private loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** `background` keeps a reload alive after the request that started it has answered (the request's waitUntil). */
  async get(key: string, load: () => Promise<V>, background?: Background): Promise<V> {
    const hit = this.entries.get(key);
    const t = Date.now();
    if (hit && hit.until > t) {
      if (background && hit.refreshAt <= t && !this.loading.has(key)) background(this.load(key, load).catch(() => {}));
      return hit.value;
    }
    return this.loading.get(key) ?? this.load(key, load);
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const loaded: Promise<V> = load()
      .then((value) => {
        // Forgotten while loading: what was read may predate the change, so it is not kept.
        if (this.loading.get(key) !== loaded) return value;
        if (!this.entries.delete(key) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
        const t = Date.now();
        this.entries.set(key, { value, until: t + this.ttlMs, refreshAt: t + this.ttlMs * (0.8 + (Math.random() * 3) / 20) });
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
      });
    this.loading.set(key, loaded);
    return loaded;
  }

  forget(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
