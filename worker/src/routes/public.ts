import { Hono } from 'hono';
import { catalog, publicRates } from '@giftstream/shared';
import { now } from '../clock';
import type { AppEnv } from '../env';
import { openApiDocument } from '../openapi';
import { currentRateCard, rateCards } from '../rates';

export const publicRoutes = new Hono<AppEnv>()
  .get('/health', (c) => c.json({ ok: true }))
  .get('/rates', async (c) => c.json(publicRates(await rateCards(c.env), now())))
  .get('/gifts', async (c) => c.json({ gifts: catalog(await currentRateCard(c.env)) }))
  .get('/openapi.json', (c) => c.json(openApiDocument(c.env.PUBLIC_URL)));
