import { Hono } from 'hono';
import { Account, coinsPrice, diamondsValue, HistoryQuery, LimitsRequest, money, type Transfer } from '@giftstream/shared';
import { requireUser } from '../auth';
import type { AppEnv, Env } from '../env';
import { valid } from '../http';
import { currentRateCard, rateCardByVersion } from '../rates';
import { getWallet } from '../stubs';

/** Transfers as the user sees them: signed coins and diamonds, their money value, who was on the other side. */
async function historyEntries(env: Env, transfers: (Transfer & { counterparty: string | null })[]) {
  const visible = transfers.filter((t) => [t.debit, t.credit].some((a) => a === Account.coins || a === Account.diamonds || a === Account.diamondsPending));
  return Promise.all(
    visible.map(async (t) => {
      const card = await rateCardByVersion(env, t.rateVersion);
      const sign = (account: string) => (t.credit === account ? t.amount : t.debit === account ? -t.amount : 0);
      const coins = sign(Account.coins);
      const diamonds = sign(Account.diamonds);
      const value = coins !== 0 ? Math.sign(coins) * coinsPrice(card, Math.abs(coins)) : Math.sign(diamonds) * diamondsValue(card, Math.abs(diamonds)).amount;
      return { id: t.id, kind: t.kind, coins, diamonds, value: money(value, card), counterparty: t.counterparty, ref: t.ref, rateVersion: t.rateVersion, at: t.at };
    }),
  );
}

function csvCell(v: unknown): string {
  const s = String(v ?? '');
  // Quote everything and defuse spreadsheet formulas: history holds text other people typed.
  return `"${(/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
}

export const walletRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', async (c) => c.json(await getWallet(c.env, c.get('user').id).summary(await currentRateCard(c.env))))
  .get('/history', valid('query', HistoryQuery), async (c) => {
    const { limit, before } = c.req.valid('query');
    const page = await getWallet(c.env, c.get('user').id).history(limit + 1, before);
    const more = page.length > limit;
    const shown = page.slice(0, limit);
    return c.json({ entries: await historyEntries(c.env, shown), next: more ? shown[shown.length - 1]!.id : null });
  })
  .get('/history.csv', async (c) => {
    const all = await getWallet(c.env, c.get('user').id).history(Number.MAX_SAFE_INTEGER);
    const rows = await historyEntries(c.env, all);
    const header = ['id', 'time', 'kind', 'coins', 'diamonds', 'value_minor', 'currency', 'counterparty', 'reference', 'rate_version'];
    const lines = rows.map((r) => [r.id, new Date(r.at).toISOString(), r.kind, r.coins, r.diamonds, r.value.amount, r.value.currency, r.counterparty, r.ref, r.rateVersion].map(csvCell).join(','));
    return c.body([header.join(','), ...lines].join('\r\n') + '\r\n', 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="giftstream-history.csv"',
    });
  })
  .put('/limits', valid('json', LimitsRequest), async (c) => {
    const { limits, pending } = await getWallet(c.env, c.get('user').id).setLimits(c.req.valid('json'));
    return c.json({ limits, pendingLimits: pending });
  });
