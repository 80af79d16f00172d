/**
 * The operator's page: pending payouts, flagged payments, channel claims, the audit and the next rate card. The page is
 * public; every call it makes carries the ADMIN_TOKEN the operator pastes in (kept in sessionStorage).
 * All data is written with textContent, never as HTML: names and destinations are user input.
 */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Giftstream operator</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d1b2c; background: #f6f5fb; }
  body { max-width: 1100px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 16px; } h2 { font-size: 17px; margin: 28px 0 8px; }
  section { background: #fff; border-radius: 12px; padding: 16px 20px; box-shadow: 0 1px 3px #0001; margin-bottom: 16px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eee; }
  button { font: inherit; padding: 5px 12px; border-radius: 8px; border: 1px solid #6d4aff; background: #6d4aff; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #6d4aff; } input, textarea { font: inherit; padding: 5px 8px; border: 1px solid #ccc; border-radius: 8px; }
  textarea { width: 100%; min-height: 220px; font-family: ui-monospace, monospace; font-size: 13px; }
  .ok { color: #0a7a3d; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; } .muted { color: #666; font-size: 13px; }
  #status { min-height: 20px; }
</style>
</head>
<body>
<h1>Giftstream operator</h1>
<section>
  <label>ADMIN_TOKEN <input id="token" type="password" size="40" autocomplete="off"></label>
  <button id="save">Use token</button> <span id="status" class="muted"></span>
</section>
<section><h2>Pending payouts</h2><table><thead><tr><th>Requested</th><th>Creator</th><th>Diamonds</th><th>Amount</th><th>Destination</th><th>Reference</th><th></th></tr></thead><tbody id="payouts"></tbody></table></section>
<section><h2>Flagged payments</h2><p class="muted">Payments whose amount or currency did not match the purchase: nothing was credited. Refund them from Stripe's dashboard.</p><table><thead><tr><th>Created</th><th>Purchase</th><th>User</th><th>Payment</th><th>Why</th></tr></thead><tbody id="flagged"></tbody></table></section>
<section><h2>Unverified channel claims</h2><table><thead><tr><th>Claimed</th><th>Channel</th><th>Creator</th><th></th></tr></thead><tbody id="channels"></tbody></table></section>
<section><h2>Audit</h2><div id="audit" class="muted">Not loaded.</div></section>
<section><h2>Next rate card</h2><p class="muted" id="rates-now"></p>
  <textarea id="next-card" spellcheck="false"></textarea>
  <p><label>Takes effect at <input id="effective" type="datetime-local"></label> <button id="schedule">Schedule</button></p>
</section>
<script src="/admin/app.js"></script>
</body>
</html>`;

export const ADMIN_JS = `'use strict';
const $ = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem('giftstream-admin') || '';
const money = (m) => '$' + (m.amount / 100).toFixed(2);
function status(text, bad) { const s = $('status'); s.textContent = text; s.className = bad ? 'bad' : 'muted'; }
async function call(method, path, body, idempotent) {
  const headers = { authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotent) headers['idempotency-key'] = crypto.randomUUID();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error((json && json.error && json.error.message) || res.status + '');
  return json;
}
function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }
function button(label, onClick, secondary) { const b = document.createElement('button'); b.textContent = label; if (secondary) b.className = 'secondary'; b.onclick = onClick; return b; }
function fill(id, items, empty, columns, row) {
  const body = $(id); body.replaceChildren();
  if (!items.length) { const r = body.insertRow(); cell(r, empty).colSpan = columns; }
  for (const item of items) row(body.insertRow(), item);
}
async function loadPayouts() {
  const { payouts } = await call('GET', '/v1/admin/payouts?status=requested');
  fill('payouts', payouts, 'Nothing waiting.', 7, (r, p) => {
    cell(r, new Date(p.createdAt).toLocaleString()); cell(r, '@' + p.handle); cell(r, p.diamonds.toLocaleString()); cell(r, money(p.amount)); cell(r, p.destination);
    const ref = document.createElement('input'); ref.placeholder = 'transfer reference'; cell(r, '').appendChild(ref);
    const actions = cell(r, '');
    const decide = (s) => async () => { try { await call('POST', '/v1/admin/payouts/' + encodeURIComponent(p.id), ref.value ? { status: s, reference: ref.value } : { status: s }, true); status('Payout ' + s + '.'); refresh(); } catch (e) { status(e.message, true); } };
    // Stripe pays a Connect payout once approved; a manual one is marked paid after the money was sent.
    actions.append(p.via === 'stripe_connect' ? button('Approve (Stripe transfer)', decide('approved')) : button('Mark paid', decide('paid')), ' ', button('Reject', decide('rejected'), true));
  });
}
async function loadFlagged() {
  const { purchases } = await call('GET', '/v1/admin/purchases/flagged');
  fill('flagged', purchases, 'None.', 5, (r, p) => {
    cell(r, new Date(p.createdAt).toLocaleString()); cell(r, p.id); cell(r, p.userId); cell(r, p.paymentRef || '—'); cell(r, p.reason || '');
  });
}
async function loadChannels() {
  const { channels } = await call('GET', '/v1/admin/channels?verified=false');
  fill('channels', channels, 'No unverified claims.', 4, (r, ch) => {
    cell(r, new Date(ch.createdAt).toLocaleString()); cell(r, ch.url); cell(r, '@' + ch.handle);
    cell(r, '').appendChild(button('Verify', async () => { try { await call('POST', '/v1/admin/channels/verify', { url: ch.url, handle: ch.handle }); status('Verified ' + ch.url + ' for @' + ch.handle + '.'); refresh(); } catch (e) { status(e.message, true); } }));
  });
}
async function loadAudit() {
  let page = await call('GET', '/v1/admin/audit'); let wallets = page.wallets; const violations = [...page.violations];
  while (page.next) { page = await call('GET', '/v1/admin/audit?cursor=' + encodeURIComponent(page.next)); wallets += page.wallets; violations.push(...page.violations); }
  const box = $('audit'); box.replaceChildren();
  const head = document.createElement('p'); head.className = violations.length ? 'bad' : 'ok';
  head.textContent = violations.length ? violations.length + ' invariant violation(s)' : 'Clean: every account sums to zero per unit across ' + wallets + ' wallets (accounts that never changed their wallet hold nothing and are not asked).';
  box.appendChild(head);
  for (const v of violations) { const p = document.createElement('p'); p.textContent = v; box.appendChild(p); }
  const waiting = document.createElement('p'); waiting.className = 'muted';
  const refunds = (page.pendingRefunds || []).length, effects = page.pendingEffects || 0;
  waiting.textContent = refunds || effects ? 'On their way (last page): ' + effects + ' effect(s) the wallets are still applying, ' + refunds + ' refund(s) waiting for Stripe.' : 'Nothing on its way: the directory agrees with every wallet.';
  box.appendChild(waiting);
}
async function loadRates() {
  const rates = await (await fetch('/v1/rates')).json();
  $('rates-now').textContent = 'In force: version ' + rates.version + '. ' + rates.summary + (rates.next ? ' Next: version ' + rates.next.version + ' from ' + new Date(rates.next.effectiveAt).toLocaleString() + '.' : '');
  if (!$('next-card').value) {
    const card = { currency: rates.currency, coinPrice: rates.coinPrice, packs: rates.packs.map((p) => ({ id: p.id, coins: p.coins })), custom: rates.custom, diamondsPerCoin: rates.diamondsPerCoin, diamondValue: rates.diamondValue, payoutStep: rates.payoutStep, payoutMinimum: rates.payoutMinimum.amount, confirmThreshold: rates.confirmThreshold.amount };
    $('next-card').value = JSON.stringify(card, null, 2);
  }
}
$('schedule').onclick = async () => {
  try {
    const card = JSON.parse($('next-card').value);
    const at = new Date($('effective').value).getTime();
    if (!Number.isFinite(at)) throw new Error('Choose when it takes effect.');
    const r = await call('PUT', '/v1/admin/rates/next', { ...card, effectiveAt: at });
    status('Version ' + r.card.version + ' scheduled for ' + new Date(r.card.effectiveAt).toLocaleString() + '.'); loadRates();
  } catch (e) { status(e.message, true); }
};
async function refresh() {
  if (!token()) { status('Paste the ADMIN_TOKEN to begin.'); return; }
  try { await Promise.all([loadPayouts(), loadFlagged(), loadChannels(), loadAudit(), loadRates()]); status('Up to date at ' + new Date().toLocaleTimeString() + '.'); }
  catch (e) { status(e.message, true); }
}
$('save').onclick = () => { sessionStorage.setItem('giftstream-admin', $('token').value.trim()); $('token').value = ''; refresh(); };
loadRates(); refresh();
`;
