import { describe, expect, it } from 'vitest';
import { TtlCache } from '../src/cache';

/** A load the test finishes by hand, counting how often the cache asked. */
function manualLoads() {
  const calls: ((v: string) => void)[] = [];
  return { calls, load: () => new Promise<string>((resolve) => calls.push(resolve)) };
}

describe('TtlCache', () => {
  it('requests that miss together load once, and all get the value', async () => {
    const cache = new TtlCache<string>(60_000);
    const { calls, load } = manualLoads();
    const gets = Array.from({ length: 20 }, () => cache.get('room', load));
    expect(calls).toHaveLength(1);
    calls[0]!('alice');
    expect(await Promise.all(gets)).toEqual(Array(20).fill('alice'));
    expect(await cache.get('room', load)).toBe('alice');
    expect(calls).toHaveLength(1);
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
});
