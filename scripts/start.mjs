// `npm start`: local D1 migrations, `wrangler dev` on :8787 with local storage, and a seeded demo.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8787);
const base = `http://localhost:${port}`;
const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

const DEMO = {
  creator: {
    email: 'creator@demo.giftstream.dev',
    password: 'demo-creator-pass',
    displayName: 'Demo Creator',
    birthdate: '1992-03-14',
    handle: 'demo_creator',
    channel: 'https://www.twitch.tv/demo_creator',
  },
  viewer: {
    email: 'viewer@demo.giftstream.dev',
    password: 'demo-viewer-pass',
    displayName: 'Demo Viewer',
    birthdate: '1995-08-02',
  },
};

function ensureDevVars() {
  const file = join(root, '.dev.vars');
  if (!existsSync(file)) writeFileSync(file, `ADMIN_TOKEN=${randomBytes(24).toString('base64url')}\n`);
  return readFileSync(file, 'utf8')
    .match(/^ADMIN_TOKEN=(.*)$/m)?.[1]
    ?.trim();
}

async function call(path, { method = 'GET', body, token, key } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function waitForHealth(child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('wrangler dev exited');
    try {
      if ((await fetch(`${base}/v1/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('wrangler dev did not answer in time');
}

async function account({ email, password, displayName, birthdate }) {
  const login = await call('/v1/auth/login', { method: 'POST', body: { email, password } });
  if (login.status === 200) return { token: login.json.token, fresh: false };
  const signup = await call('/v1/auth/signup', { method: 'POST', body: { email, password, displayName, birthdate } });
  if (signup.status !== 201) throw new Error(`demo signup failed: ${JSON.stringify(signup.json)}`);
  return { token: signup.json.token, fresh: true };
}

async function seed(adminToken) {
  const creator = await account(DEMO.creator);
  if (creator.fresh) {
    await call('/v1/creators', {
      method: 'POST',
      token: creator.token,
      body: { handle: DEMO.creator.handle, channels: [DEMO.creator.channel] },
    });
    await call('/v1/admin/channels/verify', {
      method: 'POST',
      token: adminToken,
      body: { url: DEMO.creator.channel, handle: DEMO.creator.handle },
    });
  }
  const viewer = await account(DEMO.viewer);
  if (viewer.fresh)
    await call('/v1/purchases', {
      method: 'POST',
      token: viewer.token,
      key: 'demo-seed-purchase',
      body: { packId: 'pack_5000' },
    });
}

const adminToken = ensureDevVars();
const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'giftstream', '--local'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const child = spawn(
  wrangler,
  ['dev', '--port', String(port), '--ip', '127.0.0.1', '--log-level', process.env.LOG_LEVEL ?? 'info'],
  { cwd: root, env, stdio: 'inherit' },
);
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));

try {
  await waitForHealth(child);
  await seed(adminToken);
  console.log(`
  Giftstream is running at ${base}

  Demo creator   ${DEMO.creator.email} / ${DEMO.creator.password}   (handle @${DEMO.creator.handle}, ${DEMO.creator.channel})
  Demo viewer    ${DEMO.viewer.email} / ${DEMO.viewer.password}   (5,000 sandbox coins)
  Operator       Authorization: Bearer ${adminToken}   (ADMIN_TOKEN in .dev.vars)
  Overlay        ${base}/overlay/?room=${DEMO.creator.handle}&token=…   (copy the URL from the creator popup)
  Extension      load extension/.output/chrome-mv3 unpacked (chrome://extensions, developer mode)
  Operator page  ${base}/admin
  API            ${base}/v1/rates · ${base}/v1/openapi.json · docs/api.md

  Payments run in sandbox mode (no STRIPE_SECRET_KEY): purchases complete at once. Ctrl-C stops.
`);
} catch (e) {
  console.error(e);
  stop();
}
