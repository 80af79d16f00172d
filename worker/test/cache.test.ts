import { afterEach, describe, expect, it, vi } from 'vitest';
import { Hono } from 'hono';
import { TtlCache } from '../src/cache';
import type { AppEnv } from '../src/env';
import { ALONGSIDE_WAIT_MS, alongside, background } from '../src/http';

/** A load the test finishes by hand, counting how often the cache asked. */
function manualLoads() {
  const calls: ((v: string) => void)[] = [];
  return { calls, load: () => new Promise<string>((resolve) => calls.push(resolve)) };
}

describe('TtlCache', () => {
  it('a request that misses reads for itself, never waiting on a read another request started', async () => {
    const cache = new TtlCache<string>(60_000);
    const { calls, load } = manualLoads();
    // The first request's read never ends: workerd cancels it with its request when the client goes.
    void cache.get('room', load);
    const second = cache.get('room', load);
    expect(calls).toHaveLength(2);
    calls[1]!('alice');
    expect(await second).toBe('alice');
    expect(await cache.get('room', load)).toBe('alice');
    expect(calls).toHaveLength(2);
  });

  it('a failed load is not kept: the next request asks again', async () => {
    const cache = new TtlCache<string>(60_000);
    await expect(cache.get('room', () => Promise.reject(new Error('D1 down')))).rejects.toThrow('D1 down');
    expect(await cache.get('room', async () => 'bob')).toBe('bob');
  });

  it('a value loaded across a forget is handed out but not kept', async () => {
    const cache = new TtlCache<string>(60_000);
    const { calls, load } = manualLoads();
    const before = cache.get('session', load);
    cache.forget('session');
    const after = cache.get('session', load);
    expect(calls).toHaveLength(2);
    calls[0]!('revoked');
    calls[1]!('fresh');
    expect(await before).toBe('revoked');
    expect(await after).toBe('fresh');
    expect(await cache.get('session', async () => 'unused')).toBe('fresh');
  });

  describe('reloading ahead of expiry', () => {
    let clock = 0;
    afterEach(() => vi.restoreAllMocks());
    const at = (ms: number) => {
      clock = ms;
      vi.spyOn(Date, 'now').mockImplementation(() => clock);
    };
    /** A cache (ttl 1 s) whose entry `key` was loaded with `value` at 0 ms, and its loads. */
    const loadedAtZero = async (key: string, value: string) => {
      const cache = new TtlCache<string>(1_000);
      const loads = manualLoads();
      at(0);
      const first = cache.get(key, loads.load);
      loads.calls[0]!(value);
      expect(await first).toBe(value);
      return { cache, ...loads };
    };
    /** Collects what the cache hands to the background. */
    const backgroundWork = () => {
      const work: Promise<unknown>[] = [];
      return { work, background: (p: Promise<unknown>) => void work.push(p) };
    };

    it('late in its life, an entry in use answers at once and is reloaded once, in the background', async () => {
      const { cache, calls, load } = await loadedAtZero('room', 'live');
      const { work, background } = backgroundWork();
      at(799);
      expect(await cache.get('room', load, background)).toBe('live');
      expect(calls).toHaveLength(1);
      at(950);
      // Answered from the cache while the reload runs; a second read does not start another.
      expect(await cache.get('room', load, background)).toBe('live');
      expect(await cache.get('room', load, background)).toBe('live');
      expect(calls).toHaveLength(2);
      expect(work).toHaveLength(1);
      calls[1]!('offline');
      await work[0];
      expect(await cache.get('room', load, background)).toBe('offline');
      // The reloaded entry lives a full ttl from its reload.
      at(1_900);
      expect(await cache.get('room', load)).toBe('offline');
      expect(calls).toHaveLength(2);
    });

    it('a request that starts a reload answers with the cached copy once the reload is done, waiting at most ALONGSIDE_WAIT_MS for it', async () => {
      const cache = new TtlCache<string>(1_000);
      const { calls, load } = manualLoads();
      const handed: Promise<unknown>[] = [];
      const ctx = { waitUntil: (p: Promise<unknown>) => void handed.push(p), passThroughOnException() {}, props: {} };
      const app = new Hono<AppEnv>()
        .use(alongside)
        .get('/', async (c) => c.text(await cache.get('room', load, background(c))));
      at(0);
      const first = app.request('/', {}, {}, ctx);
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      calls[0]!('live');
      expect(await (await first).text()).toBe('live');
      // A reload that ends soon: the reply waits for it, and nothing outlives the request.
      at(950);
      let reloaded = false;
      const second = app.request('/', {}, {}, ctx);
      await vi.waitFor(() => expect(calls).toHaveLength(2));
      setTimeout(() => {
        calls[1]!('offline');
        reloaded = true;
      }, 1);
      expect(await (await second).text()).toBe('live');
      expect(reloaded).toBe(true);
      expect(handed).toHaveLength(0);
      expect(await (await app.request('/', {}, {}, ctx)).text()).toBe('offline');
      // A reload stuck behind a busy directory: the reply goes after ALONGSIDE_WAIT_MS and the reload
      // goes on in waitUntil, then replaces the entry.
      at(1_900);
      const started = performance.now();
      const third = await app.request('/', {}, {}, ctx);
      expect(await third.text()).toBe('offline');
      expect(calls).toHaveLength(3);
      expect(performance.now() - started).toBeGreaterThanOrEqual(ALONGSIDE_WAIT_MS - 1);
      expect(handed).toHaveLength(1);
      calls[2]!('live again');
      await handed[0];
      expect(await (await app.request('/', {}, {}, ctx)).text()).toBe('live again');
      expect(calls).toHaveLength(3);
    });

    it('nothing is served once the ttl has passed, even while a reload is under way', async () => {
      const { cache, calls, load } = await loadedAtZero('session', 'signed in');
      const { background } = backgroundWork();
      at(950);
      expect(await cache.get('session', load, background)).toBe('signed in');
      at(1_000);
      // Expired: this request reads for itself. The older reload, ending later, does not replace it.
      const late = cache.get('session', load, background);
      expect(calls).toHaveLength(3);
      calls[2]!('revoked');
      expect(await late).toBe('revoked');
      calls[1]!('signed in');
      await new Promise((r) => setTimeout(r, 0));
      expect(await cache.get('session', load)).toBe('revoked');
    });

    it('a reload cut off with its request stops no later one', async () => {
      const { cache, calls, load } = await loadedAtZero('room', 'live');
      const { work, background } = backgroundWork();
      at(950);
      expect(await cache.get('room', load, background)).toBe('live');
      expect(calls).toHaveLength(2); // this reload never ends
      at(1_000);
      const miss = cache.get('room', load, background);
      calls[2]!('offline');
      expect(await miss).toBe('offline');
      at(1_950);
      expect(await cache.get('room', load, background)).toBe('offline');
      expect(calls).toHaveLength(4);
      calls[3]!('live again');
      await work[1];
      expect(await cache.get('room', load)).toBe('live again');
    });

    it('without a background, an entry is read again only when it expires', async () => {
      const { cache, calls, load } = await loadedAtZero('card', 'v1');
      at(999);
      expect(await cache.get('card', load)).toBe('v1');
      expect(calls).toHaveLength(1);
      at(1_000);
      const next = cache.get('card', load);
      expect(calls).toHaveLength(2);
      calls[1]!('v2');
      expect(await next).toBe('v2');
    });

    it('a failed reload keeps the entry until it expires, and the next read tries again', async () => {
      const cache = new TtlCache<string>(1_000);
      const { work, background } = backgroundWork();
      at(0);
      await cache.get('room', async () => 'live', background);
      at(950);
      expect(await cache.get('room', () => Promise.reject(new Error('D1 down')), background)).toBe('live');
      await work[0];
      expect(await cache.get('room', async () => 'offline', background)).toBe('live');
      await work[1];
      expect(await cache.get('room', async () => 'unused', background)).toBe('offline');
    });

    it('entries loaded together are reloaded at different moments', async () => {
      const cache = new TtlCache<number>(1_000);
      at(0);
      for (let i = 0; i < 20; i++) await cache.get(`session${i}`, async () => 0);
      at(799);
      const reloaded = new Set<number>();
      const reload = (i: number) => async () => (reloaded.add(i), 1);
      const background = () => {};
      for (let i = 0; i < 20; i++) await cache.get(`session${i}`, reload(i), background);
      expect(reloaded.size).toBe(0);
      // Each entry reloads at a point drawn between 80% and 95% of its life: at 875 ms some have and some
      // have not (all on one side: about twice in a million runs).
      at(875);
      for (let i = 0; i < 20; i++) await cache.get(`session${i}`, reload(i), background);
      expect(reloaded.size).toBeGreaterThan(0);
      expect(reloaded.size).toBeLessThan(20);
      at(950);
      for (let i = 0; i < 20; i++) await cache.get(`session${i}`, reload(i), background);
      expect(reloaded.size).toBe(20);
    });
  });
});
