/**
 * A small per-isolate cache with a time to live. The directory (D1) is one database: asking it on every
 * gift made it the bottleneck of the gift path. What is cached here may be stale for at most `ttlMs` in
 * other isolates; the isolate that makes a change forgets the entry at once.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
