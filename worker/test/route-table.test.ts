import { describe, expect, it } from 'vitest';
import { app } from '../src/index';
import { routeTable } from '../src/openapi';
import { api } from './helpers';

/** The app's own routes: handlers, not middleware, and not the test-only hooks or the asset fallback. */
export function appRoutes(): string[] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*') || r.path.startsWith('/v1/__test')) continue;
    seen.add(`${r.method} ${r.path.replace(/\/$/, '')}`);
  }
  return [...seen].sort();
}

const ROUTES = routeTable(app);

describe('the route table', () => {
  it('lists exactly the routes the app serves: each is defined once, with createRoute', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(appRoutes());
  });

  it('gives every route an access level and every money-moving route an Idempotency-Key', () => {
    const levels = ['public', 'user', 'adult', 'creator', 'admin', 'stripe'];
    for (const r of ROUTES) expect(levels, `${r.method} ${r.path}`).toContain(r.access);
    expect(ROUTES.filter((r) => r.idempotent).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/purchases',
      'POST /v1/purchases/:id/refund',
      'POST /v1/creator/payouts',
      'POST /v1/rooms/:handle/gifts',
      'POST /v1/admin/payouts/:id',
    ]);
  });

  it('gives every JSON route the schema of its answer', () => {
    const undescribed = ROUTES.filter((r) => !r.produces && r.status !== 204 && !r.response);
    expect(undescribed.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('generates an OpenAPI 3.1 document from the same schemas', async () => {
    const doc = (await api('/v1/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/rooms/{handle}/gifts');
    const gift = doc.paths['/v1/rooms/{handle}/gifts'].post;
    expect(gift.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['giftId'],
      properties: { count: { type: 'integer', minimum: 1, maximum: 99 }, message: { type: 'string' } },
    });
    expect(gift.parameters.map((p: { name: string }) => p.name)).toEqual(['handle', 'Idempotency-Key']);
    expect(
      Object.keys(doc.paths['/v1/purchases'].post.requestBody.content['application/json'].schema.properties),
    ).toEqual(['packId', 'coins']);
    const paths = doc.paths as Record<string, Record<string, { 'x-access'?: string }>>;
    const operations = Object.values(paths).flatMap((p) => Object.values(p));
    expect(operations).toHaveLength(ROUTES.length);
    expect(operations.map((o) => o['x-access']).sort()).toEqual(ROUTES.map((r) => r.access).sort());
    expect(doc.paths['/v1/admin/audit'].get.security).toEqual([{ operator: [] }]);
  });
});
