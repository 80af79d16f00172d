/**
 * The transaction of the in-memory stores (wallet and room): state `s` is copied on entry and put back when
 * the outermost transaction throws, so a failed command leaves nothing behind, as SQLite's would.
 */
export abstract class InMemoryTransactions<S> {
  private depth = 0;
  protected constructor(protected s: S) {}

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    const saved = structuredClone(this.s);
    this.depth++;
    try {
      return fn();
    } catch (e) {
      this.s = saved;
      throw e;
    } finally {
      this.depth--;
    }
  }
}
