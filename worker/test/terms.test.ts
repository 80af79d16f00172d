import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DAY } from '@giftstream/shared';
import { ADMIN, api } from './helpers';

describe('the terms', () => {
  it('state in plain words, from the rate card in force, what coins cost, what creators receive, refunds and closure', async () => {
    const r = await api('/terms');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const rates = (await api('/v1/rates')).json;
    expect(r.text).toContain(`Rate card version ${rates.version}`);
    expect(r.text).toContain('1 coin = $0.01 at every pack size');
    expect(r.text).toContain('<tr><th>1,000 coins</th><td>$10.00</td></tr>');
    expect(r.text).toContain('creators keep 70% of what viewers pay and the platform 30%');
    expect(r.text).toContain('from $10.00 (1,430 diamonds), in steps of 10 diamonds');
    expect(r.text).toContain('Within 14 days of a purchase');
    expect(r.text).toContain('An account that owes coins cannot be closed');
    expect(r.text).toContain('sandbox mode');
    expect(r.text).toContain('per stream (to one creator during one live stream) and per day');
    // A receipt links them too: the page Stripe Checkout returns to after a payment.
    expect((await api('/v1/checkout/done?status=success')).text).toContain('<a href="/terms">');
    // The privacy page links them, now that this deployment serves them.
    expect((await api('/privacy')).text).toContain('<a href="/terms">Terms of service</a>');
  });

  it('name the operator as text, and say what Stripe mode does', async () => {
    const r = await api('/terms', {
      env: {
        ...env,
        OPERATOR_NAME: 'Gifts <b>Ltd</b>',
        OPERATOR_CONTACT: 'help@gifts.example.com',
        STRIPE_SECRET_KEY: 'sk_test_x',
      },
    });
    expect(r.text).toContain('Gifts &#60;b&#62;Ltd&#60;/b&#62;');
    expect(r.text).not.toContain('<b>Ltd');
    expect(r.text).toContain('<a href="mailto:help@gifts.example.com">');
    expect(r.text).toContain('through Stripe Connect');
    expect(r.text).toContain('if Stripe refuses it the coins come back to you');
  });

  it('announce a scheduled rate card with the time it takes effect', async () => {
    const rates = (await api('/v1/rates')).json;
    const at = Date.now() + 10 * DAY;
    const card = {
      currency: 'USD',
      coinPrice: rates.coinPrice,
      packs: rates.packs.map((p: { id: string; coins: number }) => ({ id: p.id, coins: p.coins })),
      custom: rates.custom,
      diamondsPerCoin: rates.diamondsPerCoin,
      diamondValue: rates.diamondValue,
      payoutStep: rates.payoutStep,
      payoutMinimum: rates.payoutMinimum.amount,
      confirmThreshold: rates.confirmThreshold.amount,
      effectiveAt: at,
    };
    expect((await api('/v1/admin/rates/next', { method: 'PUT', body: card, token: ADMIN })).status).toBe(200);
    const r = await api('/terms');
    expect(r.text).toContain(
      `Version ${rates.version + 1} of the rate card takes effect on ${new Date(at).toUTCString()}`,
    );
  });
});
