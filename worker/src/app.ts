import { $, createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { errorBody, OpenApiDocumentResponse } from '@giftstream/shared';
import { ADMIN_CSP, ADMIN_HTML, ADMIN_JS } from './admin-page';
import { noticeHtml, PAGE_CSP } from './pages';
import { privacyFacts, privacyHtml } from './privacy-page';
import { termsHtml } from './terms-page';
import { now } from './clock';
import { rateCards } from './rates';
import { alongside, fail } from './http';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { access, openApiDocument, page, replies, routes } from './openapi';
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

const MAX_BODY = 16 * 1024;
const MAX_WEBHOOK_BODY = 256 * 1024;

const tooLarge = (max: number) =>
  bodyLimit({
    maxSize: max,
    onError: (c) => fail(c, 'payload_too_large', `Request bodies are limited to ${max / 1024} KiB.`),
  });

const checkoutDone = createRoute({
  method: 'get',
  path: '/checkout/done',
  summary: 'Where Stripe Checkout returns the viewer',
  ...access('public'),
  responses: page('text/html'),
});

const payoutAccountDone = createRoute({
  method: 'get',
  path: '/payout-account/done',
  summary: "Where Stripe's Connect onboarding returns the creator",
  ...access('public'),
  responses: page('text/html'),
});

const v1 = $(
  routes()
    .use(alongside)
    .use('/webhooks/*', tooLarge(MAX_WEBHOOK_BODY))
    .use('*', async (c, next) => (c.req.path.startsWith('/v1/webhooks/') ? next() : tooLarge(MAX_BODY)(c, next))),
)
  .route('/', publicRoutes)
  .route('/auth', authRoutes)
  .route('/me', meRoutes)
  .route('/wallet', walletRoutes)
  .route('/purchases', purchaseRoutes)
  .route('/webhooks', webhookRoutes)
  .route('/creators', creatorRoutes)
  .route('/channels', channelRoutes)
  .route('/creator/channels', channelConnectRoutes)
  .route('/creator', ownCreatorRoutes)
  .route('/oauth', oauthRoutes)
  .route('/rooms', roomRoutes)
  .route('/admin', adminRoutes)
  .route('/__test', testRoutes)
  .openapi(checkoutDone, (c) =>
    c.html(
      noticeHtml(
        c.req.query('status') === 'success'
          ? {
              kind: 'ok',
              title: 'Payment received',
              lines: ['Your coins arrive in your wallet as soon as the payment is confirmed. You can close this tab.'],
              terms: true,
            }
          : { kind: 'bad', title: 'Checkout cancelled', lines: ['Nothing was charged. You can close this tab.'] },
      ),
      200,
      { 'content-security-policy': PAGE_CSP },
    ),
  )
  // Where Stripe's onboarding sends the creator back; the popup shows the account's state.
  .openapi(payoutAccountDone, (c) =>
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

const openApi = createRoute({
  method: 'get',
  path: '/v1/openapi.json',
  summary: 'This document',
  ...access('public'),
  responses: replies(OpenApiDocumentResponse),
});

const adminPage = createRoute({
  method: 'get',
  path: '/admin',
  summary: "The operator's page (its calls need the ADMIN_TOKEN)",
  ...access('public'),
  responses: page('text/html'),
});

const adminScript = createRoute({
  method: 'get',
  path: '/admin/app.js',
  summary: "The operator page's script",
  ...access('public'),
  responses: page('text/javascript'),
});

const terms = createRoute({
  method: 'get',
  path: '/terms',
  summary: 'What coins cost, what creators receive, refunds and account closure, from the rate card in force',
  ...access('public'),
  responses: page('text/html'),
});

const privacy = createRoute({
  method: 'get',
  path: '/privacy',
  summary: 'What the extension sends, to whom, what is kept and for how long, how to delete an account',
  ...access('public'),
  responses: page('text/html'),
});

export const app = $(
  routes()
    .route('/v1', v1)
    .openapi(openApi, (c) => c.json(servedDocument(c.env.PUBLIC_URL)))
    .openapi(adminPage, (c) =>
      c.html(ADMIN_HTML, 200, {
        'content-security-policy': ADMIN_CSP,
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      }),
    )
    .openapi(adminScript, (c) =>
      c.body(ADMIN_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'content-security-policy': ADMIN_CSP }),
    )
    .openapi(terms, async (c) =>
      c.html(termsHtml(c.env, await rateCards(c.env), now()), 200, {
        'content-security-policy': PAGE_CSP,
        'x-frame-options': 'DENY',
      }),
    )
    // The privacy page links the terms where this deployment serves them.
    .openapi(privacy, (c) =>
      c.html(privacyHtml(privacyFacts(c.env, servesTerms() ? '/terms' : null)), 200, {
        'content-security-policy': PAGE_CSP,
        'x-frame-options': 'DENY',
      }),
    )
    // Static assets (the overlay) normally never reach the worker; this serves them where they do.
    .get('*', (c) =>
      c.env.ASSETS && !c.req.path.startsWith('/v1/')
        ? c.env.ASSETS.fetch(c.req.raw)
        : fail(c, 'not_found', `No route GET ${c.req.path}.`),
    )
    .notFound((c) => fail(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`))
    .onError((err, c) => {
      if (err instanceof HTTPException) {
        const status = err.status;
        // A body declared JSON that arrives as something else is bad input like any other.
        if (status === 415)
          return fail(c, 'invalid_request', 'Send the body as JSON (Content-Type: application/json).');
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
    }),
);

export type AppType = typeof app;

function servedDocument(serverUrl: string): ReturnType<typeof openApiDocument> {
  return openApiDocument(app, serverUrl);
}

function servesTerms(): boolean {
  return app.routes.some((r) => r.method === 'GET' && r.path === '/terms');
}
