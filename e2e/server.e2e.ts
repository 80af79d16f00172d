import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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

  it('sends room events uncompressed even when the client offers permessage-deflate', async () => {
    // The room sends every frame to every socket; deflating it once per socket would cost more than the gift.
    const signup = await api(server.url, '/v1/auth/signup', {
      body: {
        email: `deflate-${Date.now()}@example.com`,
        password: 'a long password',
        displayName: 'Deflate',
        birthdate: '1990-01-01',
      },
    });
    expect(signup.status).toBe(201);
    const claimed = await api(server.url, '/v1/creators', {
      body: { handle: 'no_deflate', channels: [] },
      token: signup.json.token,
    });
    expect(claimed.status).toBe(201);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/rooms/no_deflate/events`, {
      perMessageDeflate: true,
    });
    const offered = new Promise<string | undefined>((resolve) =>
      ws.on('upgrade', (res) => resolve(res.headers['sec-websocket-extensions'])),
    );
    const hello = new Promise<string>((resolve, reject) => {
      ws.on('message', (data) => resolve(data.toString()));
      ws.on('error', reject);
    });
    expect(await offered).toBeUndefined();
    expect(JSON.parse(await hello)).toMatchObject({ type: 'hello' });
    expect(ws.extensions).toBe('');
    ws.close();
  });
});
