import { Hono } from 'hono';
import {
  Account,
  coinsPrice,
  csvCell,
  diamondsValue,
  HistoryQuery,
  LimitsRequest,
  money,
  type PurchaseRecord,
  type Transfer,
} from '@giftstream/shared';
import { requireUser } from '../auth';
import type { AppEnv, Env } from '../env';
import { valid } from '../http';
import { currentRateCard, rateCardByVersion } from '../rates';
import { getWallet } from '../stubs';

/** Transfers as the user sees them: signed coins and diamonds, their money value, who was on the other side. */
async function historyEntries(
  env: Env,
  {
    entries: transfers,
    purchases,
  }: { entries: (Transfer & { counterparty: string | null })[]; purchases: PurchaseRecord[] },
) {
  const receipts = new Map(
    purchases.map((p) => [
      p.id,
      {
        purchaseId: p.id,
        price: money(p.price),
        sandbox: p.sandbox,
        paymentRef: p.paymentRef,
        rateVersion: p.rateVersion,
        status: p.status,
      },
    ]),
  );
  return Promise.all(
    transfers.map(async (t) => {
      const card = await rateCardByVersion(env, t.rateVersion);
      const sign = (account: string) => (t.credit === account ? t.amount : t.debit === account ? -t.amount : 0);
      const coins = sign(Account.coinsUser);
      const diamonds = sign(Account.diamondsUser);
      const value =
        coins !== 0
          ? Math.sign(coins) * coinsPrice(card, Math.abs(coins))
          : Math.sign(diamonds) * diamondsValue(card, Math.abs(diamonds)).amount;
      const receipt = t.kind === 'purchase' && t.ref ? receipts.get(t.ref) : undefined;
      return {
        id: t.id,
        kind: t.kind,
        coins,
        diamonds,
        value: money(value, card),
        counterparty: t.counterparty,
        ref: t.ref,
        rateVersion: t.rateVersion,
        at: t.at,
        ...(receipt ? { receipt } : {}),
      };
    }),
  );
}

export const walletRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', async (c) => c.json(await getWallet(c.env, c.get('user').id).summary(await currentRateCard(c.env))))
  .get('/history', valid('query', HistoryQuery), async (c) => {
    const { limit, before } = c.req.valid('query');
    const page = await getWallet(c.env, c.get('user').id).historyWithReceipts(limit + 1, before);
    const more = page.entries.length > limit;
    const shown = page.entries.slice(0, limit);
    return c.json({
      entries: await historyEntries(c.env, { entries: shown, purchases: page.purchases }),
      next: more ? shown[shown.length - 1]!.id : null,
    });
  })
  .get('/history.csv', async (c) => {
    const rows = await historyEntries(
      c.env,
      await getWallet(c.env, c.get('user').id).historyWithReceipts(Number.MAX_SAFE_INTEGER),
    );
    const header = [
      'id',
      'time',
      'kind',
      'coins',
      'diamonds',
      'value_minor',
      'currency',
      'counterparty',
      'reference',
      'rate_version',
      'price_minor',
      'sandbox',
      'payment_reference',
    ];
    const lines = rows.map((r) =>
      [
        r.id,
        new Date(r.at).toISOString(),
        r.kind,
        r.coins,
        r.diamonds,
        r.value.amount,
        r.value.currency,
        r.counterparty,
        r.ref,
        r.rateVersion,
        r.receipt?.price.amount ?? '',
        r.receipt ? String(r.receipt.sandbox) : '',
        r.receipt?.paymentRef ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
    return c.body([header.join(','), ...lines].join('\r\n') + '\r\n', 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="giftstream-history.csv"',
    });
  })
  .put('/limits', valid('json', LimitsRequest), async (c) => {
    const { limits, pending } = await getWallet(c.env, c.get('user').id).setLimits(c.req.valid('json'));
    return c.json({ limits, pendingLimits: pending });
  });
