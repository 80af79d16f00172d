import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { meterSnapshot } from '../src/meter';
import { getWallet } from '../src/stubs';
import { api } from './helpers';

// The benchmarks' meter (worker/src/meter.ts). Once on, it stays on for this isolate: this file's tests
// run in order, off first.
describe('the bench meter', () => {
  it('is off unless BENCH_METER is set: nothing counted, no route', async () => {
    expect(env.BENCH_METER).toBeUndefined();
    expect(await getWallet(env, 'meter-off').ping()).toBe(1);
    expect(meterSnapshot(env)).toBeNull();
    expect((await api('/v1/__test/meter')).status).toBe(404);
  });

  it('counts stub calls, SQL rows and D1 queries when on', async () => {
    const on = { ...env, BENCH_METER: '1' };
    const before = meterSnapshot(on)!;
    expect(before.doRequests).toEqual({});
    // A wallet that never ran: its constructor migrates its SQLite, metered as the Wallet's.
    expect(await getWallet(on, 'meter-on').ping()).toBe(1);
    expect(await getWallet(on, 'meter-on').ping()).toBe(1);
    await on.DB.prepare('SELECT 1').all();
    const after = meterSnapshot(on)!;
    expect(after.doRequests['Wallet.ping']).toBe(2);
    expect(after.sql.Wallet!.statements).toBeGreaterThan(0);
    expect(after.sql.Wallet!.rowsWritten).toBeGreaterThan(0);
    expect(after.d1).toMatchObject({ queries: 1, roundTrips: 1 });
  });
});
