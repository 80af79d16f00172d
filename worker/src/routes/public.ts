import { createRoute } from '@hono/zod-openapi';
import { catalog, CatalogResponse, OkResponse, publicRates, RatesResponse } from '@giftstream/shared';
import { now } from '../clock';
import { access, replies, routes } from '../openapi';
import { currentRateCard, rateCards } from '../rates';

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness',
  ...access('public'),
  responses: replies(OkResponse),
});

const rates = createRoute({
  method: 'get',
  path: '/rates',
  summary: 'The rate card in force, in numbers and plain words, and the next scheduled version',
  ...access('public'),
  responses: replies(RatesResponse),
});

const gifts = createRoute({
  method: 'get',
  path: '/gifts',
  summary: 'The gift catalog with prices and tiers',
  ...access('public'),
  responses: replies(CatalogResponse),
});

export const publicRoutes = routes()
  .openapi(health, (c) => c.json({ ok: true }))
  .openapi(rates, async (c) => c.json(publicRates(await rateCards(c.env), now())))
  .openapi(gifts, async (c) => c.json({ gifts: catalog(await currentRateCard(c.env)) }));
