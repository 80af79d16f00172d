/**
 * The terms (`/terms`), in plain words and from the rate card in force: what a coin costs, what a creator
 * receives, what a refund returns, what happens when an account closes, and who the operator is. Linked
 * before payment (the popup's Buy coins) and from the privacy page.
 */
import { DAY, formatMoney, publicRates, REFUND_WINDOW, trimPercent, type RateCard } from '@giftstream/shared';
import type { Env } from './env';
import { contactHtml, escapeHtml, operatorOf, pageHtml } from './pages';

export function termsHtml(env: Env, cards: readonly RateCard[], now: number): string {
  const r = publicRates(cards, now);
  const op = operatorOf(env);
  const stripe = !!env.STRIPE_SECRET_KEY;
  const usd = (minor: number) => escapeHtml(formatMoney(minor, r.currency));
  const sharePercent = (r.creatorShare.numerator * 100) / r.creatorShare.denominator;
  const contact = op.contact
    ? ` You can reach them at ${contactHtml(op.contact)}.`
    : ' The operator has not published a contact address.';
  const packs = r.packs
    .map((p) => `<tr><th>${p.coins.toLocaleString('en-US')} coins</th><td>${usd(p.price.amount)}</td></tr>`)
    .join('');
  const next = r.next
    ? `<p>Version ${r.next.version} of the rate card takes effect on ${escapeHtml(new Date(r.next.effectiveAt).toUTCString())}; it never applies to anything before then. <code>GET /v1/rates</code> shows both.</p>`
    : '<p>No change to the rate card is scheduled. A change is published with the time it takes effect, and never applies to anything before then.</p>';
  return pageHtml(
    'Terms',
    `What coins cost, what creators receive, refunds and closing an account. Rate card version ${r.version}.`,
    `<section>
<h2>Who runs this Giftstream</h2>
<p>This server is run by <strong>${escapeHtml(op.name)}</strong>.${contact} ${stripe ? 'Payments are taken by Stripe on its own checkout page.' : 'It runs in <strong>sandbox mode</strong>: no real money is taken or paid out, and coins bought here are labelled sandbox everywhere.'}</p>
</section>

<section>
<h2>What a coin costs</h2>
<p>${escapeHtml(r.summary)}</p>
<table>${packs}<tr><th>Any other amount</th><td>${r.custom.min.toLocaleString('en-US')} to ${r.custom.max.toLocaleString('en-US')} coins at the same price per coin</td></tr></table>
<p>You must be 18 or older to buy coins or send gifts. You can set daily, weekly and monthly limits on what you buy; lowering one applies at once, raising or removing one after 24 hours. Gifts of ${usd(r.confirmThreshold.amount)} or more ask you to confirm.</p>
<p>You can also cap what you send in gifts: per stream (to one creator during one live stream) and per day (all gifts over any 24 hours), by the same rules. A gift that would go over a cap is refused and nothing is charged. While you watch, the gift panel shows what you have sent to that creator this stream and in the last 24 hours, and the extension gives you a statement for each month (purchases, gifts by creator, refunds) to download or print.</p>
</section>

<section>
<h2>What a creator receives</h2>
<p>A gift worth N coins gives its creator ${r.diamondsPerCoin === 1 ? 'N diamonds' : `${r.diamondsPerCoin}×N diamonds`}; one diamond is worth ${r.diamondValue.numerator}/${r.diamondValue.denominator} of a cent, so creators keep ${trimPercent(sharePercent)}% of what viewers pay and the platform ${trimPercent(100 - sharePercent)}%. Creators cash out from ${usd(r.payoutMinimum.amount)} (${r.payoutMinimumDiamonds.toLocaleString('en-US')} diamonds), in steps of ${r.payoutStep} diamonds, ${stripe ? 'through Stripe Connect once their payout account is set up and the payout is approved' : 'paid by the operator by hand'}. A payout that fails returns its diamonds.</p>
</section>

<section>
<h2>Refunds</h2>
<p>Within ${REFUND_WINDOW / DAY} days of a purchase you can have its unspent coins refunded: the smaller of the coins of that purchase not already returned and your balance, at the price you paid for them. ${stripe ? 'The money goes back to how you paid; the refund shows as on its way until Stripe confirms it, and if Stripe refuses it the coins come back to you.' : 'In sandbox mode the coins simply leave your wallet.'} Coins already given as gifts are not refunded. A payment reversed by your bank (a chargeback) takes its coins back; what your balance cannot cover becomes a debt that your next purchases repay, and while you owe coins you cannot send gifts or ask for refunds.</p>
</section>

<section>
<h2>Closing your account</h2>
<p>Closing your account forfeits the coins and diamonds left in it, and withdraws payouts not yet paid, so refund or cash out first. An account that owes coins cannot be closed until the debt is repaid. A payment that completes after the account closed is refunded; gifts still on their way to a closed creator's account go to the platform. The bookkeeping entries stay (money records must be complete), no longer tied to your name; what else is kept is on the <a href="/privacy">privacy page</a>.</p>
</section>

${next}`,
  );
}
