// A local stand-in for Twitch's sign-in, token and users endpoints, for browser tests: the worker is pointed at
// it through OAUTH_ENDPOINTS_OVERRIDE (honoured only with TEST_HOOKS). It checks what Twitch would check
// (client credentials, redirect URI, one-time code) and PKCE, which the worker's generic client sends.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSite {
  origin: string;
  /** The OAUTH_ENDPOINTS_OVERRIDE entry for this site. */
  endpoints: { authorize: string; token: string; api: string };
  /** Token requests the site answered, and how. */
  tokenRequests: { status: number }[];
  stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => resolve(data));
  });
}

/** `login` is the Twitch account that signs in; `client` the app the operator registered. */
export async function startFakeTwitch(login: string, client: { id: string; secret: string }): Promise<FakeSite> {
  const grants = new Map<string, { challenge: string; redirect: string }>();
  const tokens = new Set<string>();
  const tokenRequests: { status: number }[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, text: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const redirect = url.searchParams.get('redirect_uri') ?? '';
      const state = url.searchParams.get('state') ?? '';
      if (url.searchParams.get('client_id') !== client.id || url.searchParams.get('code_challenge_method') !== 'S256')
        return send(400, 'text/plain', 'bad authorization request');
      const code = randomUUID();
      grants.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirect });
      const allow = `${redirect}?${new URLSearchParams({ code, state, scope: '' })}`;
      const deny = `${redirect}?${new URLSearchParams({ error: 'access_denied', error_description: 'The user denied you access', state })}`;
      return send(
        200,
        'text/html; charset=utf-8',
        `<!doctype html><meta charset="utf-8"><title>Authorize Giftstream - Twitch (fake)</title>
<body style="font-family:sans-serif;background:#0e0e10;color:#efeff1;display:flex;justify-content:center;padding-top:10vh">
<div style="background:#18181b;padding:28px 36px;border-radius:8px;width:380px">
<h1 style="font-size:20px;color:#bf94ff">twitch (local fake)</h1>
<p>Signed in as <b>${escapeHtml(login)}</b></p><p><b>Giftstream</b> would like to connect to your Twitch account.</p>
<p style="display:flex;gap:12px"><a id="deny" href="${escapeHtml(deny)}" style="color:#efeff1">Cancel</a>
<a id="allow" href="${escapeHtml(allow)}" style="background:#9147ff;color:#fff;padding:6px 14px;border-radius:4px;text-decoration:none">Authorize</a></p></div></body>`,
      );
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      const verifier = form.get('code_verifier') ?? '';
      const ok =
        grant &&
        id === client.id &&
        secret === client.secret &&
        form.get('redirect_uri') === grant.redirect &&
        createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      tokenRequests.push({ status: ok ? 200 : 400 });
      if (!ok) return send(400, 'application/json', JSON.stringify({ error: 'invalid_grant' }));
      const token = randomUUID();
      tokens.add(token);
      return send(
        200,
        'application/json',
        JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600, scope: [] }),
      );
    }
    if (req.method === 'GET' && url.pathname === '/helix/users') {
      if (
        !tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, '')) ||
        req.headers['client-id'] !== client.id
      )
        return send(401, 'application/json', '{"message":"invalid token"}');
      return send(200, 'application/json', JSON.stringify({ data: [{ id: '4242', login, display_name: login }] }));
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    endpoints: { authorize: `${origin}/oauth2/authorize`, token: `${origin}/oauth2/token`, api: origin },
    tokenRequests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
