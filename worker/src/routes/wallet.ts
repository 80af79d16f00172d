import { createRoute } from '@hono/zod-openapi';
import {
  Account,
  coinsPrice,
  csvCell,
  diamondsValue,
  HistoryQuery,
  HistoryResponse,
  LimitsRequest,
  LimitsResponse,
  money,
  StatementQuery,
  StatementResponse,
  statementCsv,
  statementOf,
  monthRange,
  WalletQuery,
  type PurchaseRecord,
  type Transfer,
  WalletResponse,
} from '@giftstream/shared';
import type { Env } from '../env';
import { fail } from '../http';
import { access, json, page, replies, routes } from '../openapi';
import { currentRateCard, rateCardByVersion } from '../rates';
import { getWallet } from '../stubs';
import { creatorByHandle } from '../directory/creators';

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

const summary = createRoute({
  method: 'get',
  path: '/',
  summary: 'Coins, diamonds, debt, limits, gift caps and spending so far; with ?room, what was sent to its stream',
  ...access('user'),
  request: { query: WalletQuery },
  responses: replies(WalletResponse),
});

const history = createRoute({
  method: 'get',
  path: '/history',
  summary: 'Ledger entries, newest first, with receipts',
  ...access('user'),
  request: { query: HistoryQuery },
  responses: replies(HistoryResponse),
});

const historyCsv = createRoute({
  method: 'get',
  path: '/history.csv',
  summary: 'The whole history as CSV',
  ...access('user'),
  responses: page('text/csv'),
});

const monthStatement = createRoute({
  method: 'get',
  path: '/statement',
  summary: "A month's purchases, gifts by creator, refunds and chargebacks, in money",
  ...access('user'),
  request: { query: StatementQuery },
  responses: replies(StatementResponse),
});

const monthStatementCsv = createRoute({
  method: 'get',
  path: '/statement.csv',
  summary: "A month's statement as CSV",
  ...access('user'),
  request: { query: StatementQuery },
  responses: page('text/csv'),
});

const setLimits = createRoute({
  method: 'put',
  path: '/limits',
  summary: 'Set purchase limits and gift caps (lowering now, raising after 24 h)',
  ...access('user'),
  request: { body: json(LimitsRequest) },
  responses: replies(LimitsResponse),
});

/** A month's statement from the wallet's ledger: entries since the month began, in money at their rate cards. */
async function statement(env: Env, userId: string, month: string) {
  const { from } = monthRange(month);
  const page = await getWallet(env, userId).historyWithReceipts(Number.MAX_SAFE_INTEGER, undefined, from);
  return statementOf(
    month,
    (await historyEntries(env, page)).map((e) => ({ ...e, value: e.value.amount })),
  );
}

export const walletRoutes = routes()
  .openapi(summary, async (c) => {
    const wallet = getWallet(c.env, c.get('user').id);
    const handle = c.req.valid('query').room;
    if (!handle) return c.json(await wallet.summary(await currentRateCard(c.env)));
    const creator = await creatorByHandle(c.env, handle);
    if (!creator) return fail(c, 'not_found', `No creator @${handle}.`, 'room');
    // What the per-stream cap counts: the session live now (none when off air; see the gift route for null).
    const live = creator.live === 1;
    const session = live ? creator.live_session : null;
    const [summary, sent] = await Promise.all([
      wallet.summary(await currentRateCard(c.env)),
      wallet.giftsSent(handle, session),
    ]);
    return c.json({
      ...summary,
      room: {
        handle,
        live,
        sessionId: session,
        sent: { stream: money(live ? sent.stream : 0), day: money(sent.day) },
      },
    });
  })
  .openapi(history, async (c) => {
    const { limit, before } = c.req.valid('query');
    const page = await getWallet(c.env, c.get('user').id).historyWithReceipts(limit + 1, before);
    const more = page.entries.length > limit;
    const shown = page.entries.slice(0, limit);
    return c.json({
      entries: await historyEntries(c.env, { entries: shown, purchases: page.purchases }),
      next: more ? shown[shown.length - 1]!.id : null,
    });
  })
  .openapi(historyCsv, async (c) => {
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
  .openapi(monthStatement, async (c) => c.json(await statement(c.env, c.get('user').id, c.req.valid('query').month)))
  .openapi(monthStatementCsv, async (c) => {
    const month = c.req.valid('query').month;
    return c.body(statementCsv(await statement(c.env, c.get('user').id, month)), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="giftstream-statement-${month}.csv"`,
    });
  })
  .openapi(setLimits, async (c) => {
    const { limits, giftLimits, pending } = await getWallet(c.env, c.get('user').id).setLimits(c.req.valid('json'));
    return c.json({ limits, giftLimits, pendingLimits: pending });
  });
