/**
 * A small per-isolate cache with a time to live. The directory (D1) is one database: asking it on every
 * gift made it the bottleneck of the gift path. What is cached here may be stale for at most `ttlMs` in
 * other isolates; the isolate that makes a change forgets the entry at once.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; until: number }>();
  /** Loads in flight: requests that miss together ask D1 once (a busy room's gifts all miss when an entry expires). */
  private loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loaded: Promise<V> = load()
      .then((value) => {
        // Forgotten while loading: what was read may predate the change, so it is not kept.
        if (this.loading.get(key) !== loaded) return value;
        if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, { value, until: Date.now() + this.ttlMs });
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
