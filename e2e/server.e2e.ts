import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type Server } from './harness';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

describe('wrangler dev', () => {
  it('serves the API and the overlay from one origin', async () => {
    expect((await api(server.url, '/v1/health')).json).toEqual({ ok: true });
    const page = await fetch(`${server.url}/overlay/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="app"');
    const audit = await api(server.url, '/v1/admin/audit', { token: server.adminToken });
    expect(audit.status).toBe(200);
  });
});
