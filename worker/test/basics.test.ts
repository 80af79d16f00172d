import { describe, expect, it } from 'vitest';
import { api } from './helpers';

describe('public routes', () => {
  it('answers health, rates and the catalog', async () => {
    expect((await api('/v1/health')).json).toEqual({ ok: true });
    const rates = (await api('/v1/rates')).json;
    expect(rates.version).toBe(1);
    expect(rates.currency).toBe('USD');
    expect(rates.packs).toHaveLength(6);
    expect(rates.packs.every((p: any) => p.price.amount === p.coins)).toBe(true);
    expect(rates.custom).toEqual({ min: 100, max: 100_000 });
    expect(rates.creatorShare).toEqual({ numerator: 7, denominator: 10 });
    expect(rates.diamondValue).toEqual({ numerator: 7, denominator: 10 });
    expect(rates.payoutMinimum).toEqual({ amount: 1000, currency: 'USD' });
    expect(rates.summary).toMatch(/Creators keep 70% of what viewers pay, the platform 30%/);
    const gifts = (await api('/v1/gifts')).json.gifts;
    expect(gifts.length).toBeGreaterThanOrEqual(12);
    expect(gifts[0]).toEqual({
      id: 'heart',
      name: 'Heart',
      coins: 1,
      price: { amount: 1, currency: 'USD' },
      tier: 'small',
    });
  });

  it('answers unknown routes and oversized bodies with JSON errors', async () => {
    const missing = await api('/v1/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const big = await api('/v1/auth/signup', { raw: JSON.stringify({ email: 'x'.repeat(20_000) }) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('payload_too_large');
    const broken = await api('/v1/auth/login', { raw: '{"email": ' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_request');
  });

  it('serves the overlay from the same origin', async () => {
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('http://localhost/overlay/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="app">');
  });
});
