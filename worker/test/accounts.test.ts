import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  api,
  buy,
  connect,
  creditDiamonds,
  decidePayout,
  diamondsOf,
  expectCleanAudit,
  heartFrom,
  historyCsv,
  liveRoom,
  requestPayout,
  sendGift,
  signup,
  until,
  wallet,
  walletStub,
} from './helpers';

describe('message moderation', () => {
  it('shows a gift whose message has a blocked word without the message, and lets the creator see it', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    const set = await api('/v1/creator/moderation', {
      method: 'PUT',
      body: { blockedWords: ['Scam', 'badword'] },
      token: creator.token,
    });
    expect(set.json.blockedWords).toEqual(['badword', 'scam']);
    const overlayToken = (await api('/v1/creator/overlay-token', { token: creator.token })).json.token;
    const overlay = await connect(handle, `?token=${overlayToken}`);
    const watcher = await connect(handle);
    const hidden = await sendGift(viewer, handle, { giftId: 'rose', message: 'this is a S C A M' });
    const tricky = await sendGift(viewer, handle, { giftId: 'rose', message: 'b4dw0rd!' });
    const fine = await sendGift(viewer, handle, { giftId: 'heart', message: 'love the stream' });
    expect([hidden.status, tricky.status, fine.status]).toEqual([201, 201, 201]);
    await until(
      'three gifts',
      () => overlay.events.filter((e) => e.type === 'gift').length,
      (n) => n === 3,
    );
    await until(
      'three gifts',
      () => watcher.events.filter((e) => e.type === 'gift').length,
      (n) => n === 3,
    );
    for (const c of [overlay, watcher]) {
      const frames = JSON.stringify(c.events);
      expect(frames).not.toMatch(/S C A M|b4dw0rd/);
      expect(c.events.find((e) => e.type === 'gift' && e.id === fine.json.gift.id)).toMatchObject({
        message: 'love the stream',
      });
    }
    const room = (await api(`/v1/rooms/${handle}`)).text;
    expect(room).not.toMatch(/S C A M|b4dw0rd/);
    const mod = await api('/v1/creator/moderation', { token: creator.token });
    expect(mod.json.hidden.map((h: any) => h.message).sort()).toEqual(['b4dw0rd!', 'this is a S C A M']);
    expect((await api('/v1/creator/moderation', { token: viewer.token })).status).toBe(403);
    overlay.close();
    watcher.close();
  });
});

describe('anonymous gifts', () => {
  it('hide the sender from every room event and public route', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    const shy = await signup({ name: 'Secret Admirer' });
    await buy(shy, { coins: 1000 });
    const watcher = await connect(handle);
    const r = await sendGift(shy, handle, { giftId: 'trophy', anonymous: true, message: 'from afar' });
    expect(r.status).toBe(201);
    await until(
      'diamonds',
      () => diamondsOf(creator),
      (d) => d === 250,
    );
    await until(
      'gift',
      () => watcher.events.filter((e) => e.type === 'gift').length,
      (n) => n === 1,
    );
    const everything = [
      JSON.stringify(watcher.events),
      (await api(`/v1/rooms/${handle}`)).text,
      (await api(`/v1/creators/${handle}`)).text,
      (await api('/v1/creator/earnings', { token: creator.token })).text,
    ];
    for (const text of everything) {
      expect(text).not.toContain('Secret Admirer');
      expect(text).not.toContain(shy.id);
    }
    expect(watcher.events.find((e) => e.type === 'gift')).toMatchObject({ from: 'Anonymous' });
    expect((await api(`/v1/rooms/${handle}`)).json.room.leaderboard).toEqual([{ name: 'Anonymous', coins: 250 }]);
    // The sender still sees their own gift.
    const mine = await api('/v1/wallet/history', { token: shy.token });
    expect(mine.json.entries[0]).toMatchObject({ kind: 'gift', coins: -250, counterparty: handle });
    watcher.close();
  });
});

describe('history pages', () => {
  it("hold their limit of the user's own entries, however many settlements lie between", async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    for (let i = 0; i < 12; i++) expect((await sendGift(viewer, handle, { giftId: 'heart' })).status).toBe(201);
    await until(
      'every gift credited',
      () => diamondsOf(creator),
      (d) => d === 12,
    );
    // Each gift leaves transit in an entry of the books' own; the viewer's pages must not count those.
    await until(
      'settled',
      () => walletStub(viewer.id).audit(),
      (a) => (a.balances['coins:in_transit'] ?? 0) === 0,
    );
    const first = await api('/v1/wallet/history?limit=10', { token: viewer.token });
    expect(first.json.entries).toHaveLength(10);
    expect(first.json.next).toBe(first.json.entries[9].id);
    const second = await api(`/v1/wallet/history?limit=10&before=${first.json.next}`, { token: viewer.token });
    expect(second.json.entries.map((e: { kind: string }) => e.kind)).toEqual(['gift', 'gift', 'purchase']);
    expect(second.json.next).toBeNull();
  });
});

describe('receipts', () => {
  it('carry price, rate version, sandbox flag and payment reference, in history and CSV', async () => {
    const u = await signup();
    const p = (await buy(u, { packId: 'pack_2500' })).purchase;
    const h = await api('/v1/wallet/history', { token: u.token });
    expect(h.json.entries[0]).toMatchObject({
      kind: 'purchase',
      coins: 2500,
      value: { amount: 2500, currency: 'USD' },
      rateVersion: 1,
      receipt: {
        purchaseId: p.id,
        price: { amount: 2500, currency: 'USD' },
        sandbox: true,
        paymentRef: null,
        rateVersion: 1,
      },
    });
    const res = await historyCsv(u);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,time,kind,coins,diamonds,value_minor,currency,counterparty,reference,rate_version,price_minor,sandbox,payment_reference',
    );
    expect(lines[1]).toContain(`"purchase","2500","0","2500","USD","","${p.id}","1","2500","true",""`);
  });

  it('defuse spreadsheet formulas typed by other people', async () => {
    const { creator } = await heartFrom('=HYPERLINK("http://evil")');
    const csv = await (await historyCsv(creator)).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('payout destinations', () => {
  it('are stored for the operator, masked in lists, and the decision records a reference', async () => {
    const { creator } = await liveRoom({ coins: 0 });
    await creditDiamonds(creator, 2000);
    const r = await requestPayout(creator, 1430, 'DE89 3704 0044 0532 0130 00');
    expect(r.status).toBe(201);
    expect(r.json.payout.destination).toBe('••••••••3000');
    expect((await api('/v1/creator/payouts', { token: creator.token })).json.payouts[0].destination).toBe(
      '••••••••3000',
    );
    const admin = await api('/v1/admin/payouts?status=requested', { token: ADMIN });
    const row = admin.json.payouts.find((p: any) => p.id === r.json.payout.id);
    expect(row.destination).toBe('DE89 3704 0044 0532 0130 00');
    const paid = await decidePayout(r.json.payout.id, { status: 'paid', reference: 'SEPA-2026-0042' });
    expect(paid.json.payout).toMatchObject({
      status: 'paid',
      reference: 'SEPA-2026-0042',
      amount: { amount: 1001, currency: 'USD' },
    });
  });
});

describe('profile and account', () => {
  it('changing the password signs other sessions out', async () => {
    const u = await signup();
    const other = (await api('/v1/auth/login', { body: { email: u.email, password: u.password } })).json.token;
    const wrong = await api('/v1/me/password', {
      body: { currentPassword: 'nope', newPassword: 'a new password 1' },
      token: u.token,
    });
    expect(wrong.status).toBe(403);
    const changed = await api('/v1/me/password', {
      body: { currentPassword: u.password, newPassword: 'a new password 1' },
      token: u.token,
    });
    expect(changed.status).toBe(200);
    expect((await api('/v1/me', { token: other })).status).toBe(401);
    expect((await api('/v1/me', { token: u.token })).status).toBe(200);
    expect((await api('/v1/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(401);
    expect((await api('/v1/auth/login', { body: { email: u.email, password: 'a new password 1' } })).status).toBe(200);
  });

  it('deleting is refused while coins or payouts remain, unless forfeited; afterwards the token dies, the email is free and the audit balances', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    await sendGift(viewer, handle, { giftId: 'balloon' });
    await until(
      'diamonds',
      () => diamondsOf(creator),
      (d) => d === 100,
    );
    const refused = await api('/v1/me', { method: 'DELETE', body: { password: viewer.password }, token: viewer.token });
    expect(refused.status).toBe(409);
    expect(refused.json.closing).toMatchObject({ coins: 900, refundableCoins: 900 });
    expect((await wallet(viewer)).coins).toBe(900);
    const wrongPassword = await api('/v1/me', {
      method: 'DELETE',
      body: { password: 'wrong', forfeit: true },
      token: viewer.token,
    });
    expect(wrongPassword.status).toBe(403);
    const deleted = await api('/v1/me', {
      method: 'DELETE',
      body: { password: viewer.password, forfeit: true },
      token: viewer.token,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.json.forfeited).toEqual({ coins: 900, diamonds: 0 });
    expect((await api('/v1/me', { token: viewer.token })).status).toBe(401);
    expect((await api('/v1/auth/login', { body: { email: viewer.email, password: viewer.password } })).status).toBe(
      401,
    );
    const again = await api('/v1/auth/signup', {
      body: {
        email: viewer.email.toUpperCase(),
        password: 'another password',
        displayName: 'Back Again',
        birthdate: '1990-01-01',
      },
    });
    expect(again.status).toBe(201);
    expect(again.json.user.id).not.toBe(viewer.id);
    expect((await api('/v1/me', { token: again.json.token })).json.wallet.coins).toBe(0);
    // The creator keeps the diamonds the deleted viewer sent.
    expect(await diamondsOf(creator)).toBe(100);
    await expectCleanAudit();
  });

  it('a creator who deletes the account withdraws pending payouts and goes off air', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    await creditDiamonds(creator, 3000);
    const payout = await requestPayout(creator, 1500, 'paypal:me@example.com');
    expect(payout.status).toBe(201);
    const refused = await api('/v1/me', {
      method: 'DELETE',
      body: { password: creator.password },
      token: creator.token,
    });
    expect(refused.json.closing).toMatchObject({ diamonds: 1500, pendingPayoutDiamonds: 1500 });
    const deleted = await api('/v1/me', {
      method: 'DELETE',
      body: { password: creator.password, forfeit: true },
      token: creator.token,
    });
    expect(deleted.json).toMatchObject({
      deleted: true,
      forfeited: { coins: 0, diamonds: 3000 },
      withdrawnPayouts: [payout.json.payout.id],
    });
    expect((await api(`/v1/creators/${handle}`)).json.creator.live).toBe(false);
    const admin = await api('/v1/admin/payouts', { token: ADMIN });
    expect(admin.json.payouts.find((p: any) => p.id === payout.json.payout.id)).toMatchObject({
      status: 'rejected',
      destination: '',
    });
    await expectCleanAudit();
  });
});
