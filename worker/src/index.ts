import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { errorBody, MEDIA_MAX_BYTES } from '@giftstream/shared';
import { ADMIN_CSP, ADMIN_HTML, ADMIN_JS } from './admin-page';
import { noticeHtml, PAGE_CSP } from './pages';
import { privacyFacts, privacyHtml } from './privacy-page';
import { termsHtml } from './terms-page';
import { now } from './clock';
import { rateCards } from './rates';
import type { AppEnv, Env } from './env';
import { alongside, fail } from './http';
import { meterRequest } from './meter';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { channelRoutes, creatorRoutes } from './routes/creators';
import { meRoutes } from './routes/me';
import { publicRoutes } from './routes/public';
import { purchaseRoutes } from './routes/purchases';
import { walletRoutes } from './routes/wallet';
import { webhookRoutes } from './routes/webhooks';
import { testRoutes } from './routes/test-hooks';
import { ownCreatorRoutes } from './routes/creator';
import { roomRoutes } from './routes/rooms';
import { channelConnectRoutes, oauthRoutes } from './routes/oauth';
import { mediaRoutes, publicMediaRoutes } from './routes/media';
import { overlayConfigRoutes, roomConfigRoutes, studioSessionRoutes, studioTicketRoutes } from './routes/studio';
import { withPageHeaders } from './studio-page';

export { Wallet } from './objects/wallet';
export { LiveRoom } from './objects/live-room';

const MAX_BODY = 16 * 1024;
const MAX_WEBHOOK_BODY = 256 * 1024;

/** An upload is the one body over 16 KiB a person sends: its own limit is the file limit. */
const isUpload = (method: string, path: string) => method === 'POST' && path === '/v1/creator/media';

const tooLarge = (max: number) =>
  bodyLimit({
    maxSize: max,
    onError: (c) => fail(c, 'payload_too_large', `Request bodies are limited to ${max / 1024} KiB.`),
  });

const v1 = new Hono<AppEnv>()
  .use(alongside)
  .use('/webhooks/*', tooLarge(MAX_WEBHOOK_BODY))
  .use(
    '/creator/media',
    bodyLimit({
      maxSize: MEDIA_MAX_BYTES,
      onError: (c) => fail(c, 'payload_too_large', 'Files are limited to 2 MB.'),
    }),
  )
  .use('*', async (c, next) =>
    c.req.path.startsWith('/v1/webhooks/') || isUpload(c.req.method, c.req.path) ? next() : tooLarge(MAX_BODY)(c, next),
  )
  .route('/', publicRoutes)
  .route('/auth', authRoutes)
  .route('/me', meRoutes)
  .route('/wallet', walletRoutes)
  .route('/purchases', purchaseRoutes)
  .route('/webhooks', webhookRoutes)
  .route('/creators', creatorRoutes)
  .route('/channels', channelRoutes)
  // Before /creator: its middleware would otherwise check the session a second time on these routes.
  .route('/creator/channels', channelConnectRoutes)
  .route('/creator/overlay-config', overlayConfigRoutes)
  .route('/creator/media', mediaRoutes)
  .route('/creator/studio-ticket', studioTicketRoutes)
  .route('/studio', studioSessionRoutes)
  .route('/media', publicMediaRoutes)
  .route('/rooms', roomConfigRoutes)
  .route('/creator', ownCreatorRoutes)
  .route('/oauth', oauthRoutes)
  .route('/rooms', roomRoutes)
  .route('/admin', adminRoutes)
  .route('/__test', testRoutes)
  .get('/checkout/done', (c) =>
    c.html(
      noticeHtml(
        c.req.query('status') === 'success'
          ? {
              kind: 'ok',
              title: 'Payment received',
              lines: ['Your coins arrive in your wallet as soon as the payment is confirmed. You can close this tab.'],
            }
          : { kind: 'bad', title: 'Checkout cancelled', lines: ['Nothing was charged. You can close this tab.'] },
      ),
      200,
      { 'content-security-policy': PAGE_CSP },
    ),
  )
  // Where Stripe's onboarding sends the creator back; the popup shows the account's state.
  .get('/payout-account/done', (c) =>
    c.html(
      noticeHtml(
        c.req.query('status') === 'expired'
          ? {
              kind: 'bad',
              title: 'This setup link expired',
              lines: [
                'Open the Giftstream popup and choose “Set up payouts” again for a fresh one. You can close this tab.',
              ],
            }
          : {
              kind: 'ok',
              title: 'Back from Stripe',
              lines: [
                'Open the Giftstream popup to see whether your payout account is ready: Stripe may still be reviewing it. You can close this tab.',
              ],
            },
      ),
      200,
      { 'content-security-policy': PAGE_CSP },
    ),
  );

export const app = new Hono<AppEnv>()
  .route('/v1', v1)
  .get('/admin', (c) =>
    c.html(ADMIN_HTML, 200, {
      'content-security-policy': ADMIN_CSP,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    }),
  )
  .get('/admin/app.js', (c) =>
    c.body(ADMIN_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'content-security-policy': ADMIN_CSP }),
  )
  .get('/terms', async (c) =>
    c.html(termsHtml(c.env, await rateCards(c.env), now()), 200, {
      'content-security-policy': PAGE_CSP,
      'x-frame-options': 'DENY',
    }),
  )
  // The privacy page links the terms where this deployment serves them.
  .get('/privacy', (c) =>
    c.html(privacyHtml(privacyFacts(c.env, servesTerms() ? '/terms' : null)), 200, {
      'content-security-policy': PAGE_CSP,
      'x-frame-options': 'DENY',
    }),
  )
  // Static assets (the overlay) normally never reach the worker; this serves them where they do.
  // Static assets: the overlay and the studio come through here for their CSP (run_worker_first).
  .get('*', async (c) =>
    c.env.ASSETS && !c.req.path.startsWith('/v1/')
      ? withPageHeaders(c.req.path, await c.env.ASSETS.fetch(c.req.raw))
      : fail(c, 'not_found', `No route GET ${c.req.path}.`),
  )
  .notFound((c) => fail(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`))
  .onError((err, c) => {
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_request';
      return c.json(errorBody(code, err.message || 'Bad request.'), status >= 500 ? 400 : status);
    }
    console.error('unhandled error', err);
    return c.json(
      errorBody(
        'internal_error' as never,
        'Something went wrong on our side; nothing was charged twice. Retry with the same Idempotency-Key.',
      ),
      500,
    );
  });

export type AppType = typeof app;

function servesTerms(): boolean {
  return app.routes.some((r) => r.method === 'GET' && r.path === '/terms');
}

export default {
  fetch: (request, env, ctx) => {
    meterRequest(env);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
