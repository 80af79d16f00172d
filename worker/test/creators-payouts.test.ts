import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { advanceClock, now } from '../src/clock';
import {
  ADMIN,
  api,
  buy,
  creditDiamonds,
  decidePayout,
  expectCleanAudit,
  makeCreator,
  rateCardBody,
  requestPayout,
  signup,
  uniqueKey,
  wallet,
  walletStub,
  type TestUser,
} from './helpers';

const HOUR = 3_600_000;

async function become(user: TestUser, body: unknown) {
  return api('/v1/creators', { body, token: user.token });
}

async function resolve(url: string) {
  return api(`/v1/channels/resolve?url=${encodeURIComponent(url)}`);
}

async function verify(url: string, handle: string) {
  const r = await api('/v1/admin/channels/verify', { body: { url, handle }, token: ADMIN });
  expect(r.status, r.text).toBe(200);
}

async function adminPayouts(status?: string) {
  const r = await api(`/v1/admin/payouts${status ? `?status=${status}` : ''}`, { token: ADMIN });
  expect(r.status).toBe(200);
  return r.json.payouts as {
    id: string;
    handle: string;
    diamonds: number;
    amount: { amount: number };
    destination: string;
    destinationMasked: string;
    status: string;
  }[];
}

async function adminChannels(verified?: 'true' | 'false') {
  const r = await api(`/v1/admin/channels${verified ? `?verified=${verified}` : ''}`, { token: ADMIN });
  expect(r.status).toBe(200);
  return r.json.channels as { url: string; site: string; handle: string; verified: boolean }[];
}

describe('becoming a creator', () => {
  it('accepts handles of 3 to 24 of a-z, 0-9 and _ and refuses the rest with the field named', async () => {
    const u = await signup({ name: 'Handle Tester' });
    for (const handle of [
      'ab',
      'a'.repeat(25),
      'Alice',
      'ALICE_1',
      'al-ice',
      'al ice',
      'al.ice',
      'ålice',
      'alice\n',
      ' alice',
      '',
      123,
      null,
      ['alice'],
    ]) {
      const r = await become(u, { handle, channels: [] });
      expect(r.status, JSON.stringify(handle)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(r.json.error.field).toBe('handle');
    }
    expect((await api('/v1/me', { token: u.token })).json.creator).toBeNull();

    const three = await become(u, { handle: 'a_1', channels: [] });
    expect(three.status).toBe(201);
    expect(three.json).toEqual({ creator: { handle: 'a_1', displayName: 'Handle Tester', live: false, channels: [] } });
    const long = await become(await signup(), { handle: 'z'.repeat(24) });
    expect(long.status).toBe(201); // channels default to none
    expect(long.json.creator.handle).toBe('z'.repeat(24));
  });

  it('refuses a taken handle (409 handle_taken) and a second creator profile (409 conflict)', async () => {
    const first = await signup({ name: 'First' });
    const second = await signup({ name: 'Second' });
    await makeCreator(first, 'taken_handle', ['https://twitch.tv/first_channel']);

    const taken = await become(second, { handle: 'taken_handle', channels: ['https://twitch.tv/second_channel'] });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toMatchObject({ code: 'handle_taken', field: 'handle' });
    expect((await api('/v1/me', { token: second.token })).json.creator).toBeNull();
    // The loser's channel claim was not recorded under the winner's handle.
    expect((await adminChannels()).filter((c) => c.handle === 'taken_handle').map((c) => c.url)).toEqual([
      'https://twitch.tv/first_channel',
    ]);
    expect((await adminChannels()).filter((c) => c.url === 'https://twitch.tv/second_channel')).toEqual([]);

    const again = await become(first, { handle: 'another_handle', channels: [] });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('conflict');
    const same = await become(first, { handle: 'taken_handle', channels: [] });
    expect(same.status).toBe(409);
    expect((await api('/v1/me', { token: first.token })).json.creator.handle).toBe('taken_handle');
    expect((await api('/v1/creators/another_handle')).status).toBe(404);
  });

  it('gives a contested handle to exactly one of many simultaneous requests', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => signup({ name: `Racer ${i}` })));
    const results = await Promise.all(users.map((u) => become(u, { handle: 'race_handle', channels: [] })));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.json.error.code === 'handle_taken')).toBe(true);
    const winner = users[results.findIndex((r) => r.status === 201)]!;
    expect((await api('/v1/creators/race_handle')).json.creator.displayName).toBe(
      (await api('/v1/me', { token: winner.token })).json.user.displayName,
    );
  });

  it('gives one user one creator profile when they ask for several handles at once', async () => {
    const u = await signup({ name: 'Eager' });
    const handles = Array.from({ length: 6 }, (_, i) => `eager_${i}`);
    const results = await Promise.all(
      handles.map((handle) => become(u, { handle, channels: [`https://kick.com/${handle}`] })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const won = handles[results.findIndex((r) => r.status === 201)]!;
    expect((await api('/v1/me', { token: u.token })).json.creator.handle).toBe(won);
    for (const h of handles.filter((x) => x !== won)) {
      expect((await api(`/v1/creators/${h}`)).status).toBe(404);
      expect((await adminChannels()).filter((c) => c.url === `https://kick.com/${h}`)).toEqual([]);
    }
    for (const r of results.filter((x) => x.status === 409))
      expect(['conflict', 'handle_taken']).toContain(r.json.error.code);
  });

  it('refuses under-18 accounts with 403 age_restricted', async () => {
    const kid = await signup({ adult: false, name: 'Kid Streamer' });
    const r = await become(kid, { handle: 'kid_streamer', channels: ['https://twitch.tv/kid_streamer'] });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('age_restricted');
    expect((await api('/v1/creators/kid_streamer')).status).toBe(404);
    expect((await adminChannels()).filter((c) => c.url === 'https://twitch.tv/kid_streamer')).toEqual([]);
  });

  it('refuses channel URLs that are not channel pages of a supported site', async () => {
    const u = await signup();
    for (const url of [
      'https://example.com/streamer',
      'https://twitch.tv/directory',
      'https://www.twitch.tv/',
      'https://youtube.com/channel/UC1234567890',
      'https://youtube.com/streamer',
      'https://tiktok.com/streamer',
      'https://kick.com/@streamer',
      'ftp://twitch.tv/streamer',
      'javascript:alert(1)//twitch.tv/streamer',
      'https://twitch.tv.evil.example/streamer',
      'https://nottwitch.tv/streamer',
      'https://twitch.tv/' + 'a'.repeat(65),
      `https://twitch.tv/${'a'.repeat(300)}`,
    ]) {
      const r = await become(u, { handle: 'bad_channels', channels: [url] });
      expect(r.status, url).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(r.json.error.field, url).toMatch(/^channels/);
    }
    const eleven = Array.from({ length: 11 }, (_, i) => `https://twitch.tv/many_${i}`);
    expect((await become(u, { handle: 'bad_channels', channels: eleven })).status).toBe(400);
    expect((await api('/v1/me', { token: u.token })).json.creator).toBeNull();
  });

  // parseChannelUrl decodes percent-escapes in the path; a broken one is bad input (400), never a URIError (500).
  it('POST /v1/creators answers a channel URL with a broken percent-escape with 400, not 500', async () => {
    const u = await signup();
    const r = await become(u, { handle: 'percent_broken', channels: ['https://twitch.tv/%E0%A4%A'] });
    expect(r.status, r.text).toBe(400);
  });

  it('GET /v1/channels/resolve answers a URL with a broken percent-escape with 404, not 500', async () => {
    const r = await resolve('https://twitch.tv/%E0%A4%A');
    expect(r.status, r.text).toBe(404);
  });

  it('normalizes channel URLs to one canonical form per channel', async () => {
    const u = await signup({ name: 'Norm Streamer' });
    const r = await become(u, {
      handle: 'norm_streamer',
      channels: [
        'https://www.twitch.tv/Norm_Streamer/?ref=abc',
        'twitch.tv/norm_streamer',
        'https://m.youtube.com/@NormStreamer/live',
        'KICK.com/NormStreamer/',
        'https://www.tiktok.com/@norm.streamer/live?lang=en#top',
      ],
    });
    expect(r.status).toBe(201);
    expect(r.json.creator.channels).toEqual([
      { url: 'https://twitch.tv/norm_streamer', site: 'twitch', verified: false },
      { url: 'https://youtube.com/@normstreamer', site: 'youtube', verified: false },
      { url: 'https://kick.com/normstreamer', site: 'kick', verified: false },
      { url: 'https://tiktok.com/@norm.streamer', site: 'tiktok', verified: false },
    ]);
  });
});

describe('resolving a stream page to its creator', () => {
  it('finds the verified claim from any form of the page URL', async () => {
    for (const url of [
      'twitch.tv/norm_streamer',
      'youtube.com/@normstreamer',
      'kick.com/normstreamer',
      'tiktok.com/@norm.streamer',
    ])
      await verify(url, 'norm_streamer');
    const forms: [string, string][] = [
      ['https://www.twitch.tv/norm_streamer', 'https://twitch.tv/norm_streamer'],
      ['https://twitch.tv/Norm_Streamer/', 'https://twitch.tv/norm_streamer'],
      ['twitch.tv/norm_streamer?referrer=raid', 'https://twitch.tv/norm_streamer'],
      ['https://www.twitch.tv/norm_streamer/videos?filter=archives', 'https://twitch.tv/norm_streamer'],
      ['https://m.twitch.tv/norm_streamer', 'https://twitch.tv/norm_streamer'],
      ['https://www.youtube.com/@NormStreamer/live', 'https://youtube.com/@normstreamer'],
      ['https://youtube.com/@normstreamer?si=abc', 'https://youtube.com/@normstreamer'],
      ['https://www.youtube.com/@normstreamer/', 'https://youtube.com/@normstreamer'],
      ['https://kick.com/normstreamer/', 'https://kick.com/normstreamer'],
      ['https://www.kick.com/NormStreamer?clip=1', 'https://kick.com/normstreamer'],
      ['https://www.tiktok.com/@norm.streamer/live', 'https://tiktok.com/@norm.streamer'],
      ['http://tiktok.com/@Norm.Streamer?lang=en', 'https://tiktok.com/@norm.streamer'],
    ];
    for (const [url, canonical] of forms) {
      const r = await resolve(url);
      expect(r.status, url).toBe(200);
      expect(r.json.creator, url).toMatchObject({ handle: 'norm_streamer', displayName: 'Norm Streamer', live: false });
      expect(r.json.channel, url).toMatchObject({ url: canonical, verified: true });
    }
  });

  it('answers 404 for a page nobody claimed or that is no channel, 400 without a url', async () => {
    for (const url of [
      'https://twitch.tv/nobody_claims_this',
      'https://www.youtube.com/@nobody_here/live',
      'https://example.com/norm_streamer',
      'https://twitch.tv/directory',
      'not a url at all',
    ]) {
      const r = await resolve(url);
      expect(r.status, url).toBe(404);
      expect(r.json.error.code).toBe('not_found');
    }
    const missing = await api('/v1/channels/resolve');
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'invalid_request', field: 'url' });
    expect((await api('/v1/channels/resolve?url=')).status).toBe(400);
  });

  it('answers 404 for a channel with only unverified claims, however old: a claim alone collects nothing', async () => {
    const squatter = await signup({ name: 'Squatter' });
    await makeCreator(squatter, 'squatter', ['https://www.twitch.tv/famous_streamer']);
    const r = await resolve('https://twitch.tv/famous_streamer');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('not_found');
    expect(r.text).not.toContain('squatter');
    // The claimant still sees the claim on their own profile, unverified.
    expect((await api('/v1/creators/squatter')).json.creator.channels).toEqual([
      { url: 'https://twitch.tv/famous_streamer', site: 'twitch', verified: false },
    ]);
  });

  it('answers only the verified claim; a second claimant never wins; verifying removes the other claims', async () => {
    const [older, newer, third] = [
      await signup({ name: 'Older' }),
      await signup({ name: 'Newer' }),
      await signup({ name: 'Third' }),
    ];
    await makeCreator(older, 'older_claim', ['https://www.twitch.tv/contested']);
    await makeCreator(newer, 'newer_claim', ['twitch.tv/Contested/', 'https://kick.com/newer_only']);

    expect((await resolve('https://twitch.tv/contested/videos')).status).toBe(404);
    const unverified = await adminChannels('false');
    expect(unverified.filter((c) => c.url === 'https://twitch.tv/contested').map((c) => c.handle)).toEqual([
      'older_claim',
      'newer_claim',
    ]);

    const v = await api('/v1/admin/channels/verify', {
      body: { url: 'https://www.twitch.tv/CONTESTED?x=1', handle: 'newer_claim' },
      token: ADMIN,
    });
    expect(v.status).toBe(200);
    expect(v.json.channel).toMatchObject({ url: 'https://twitch.tv/contested', handle: 'newer_claim', verified: true });

    const after = await resolve('twitch.tv/contested');
    expect(after.status).toBe(200);
    expect(after.json.creator.handle).toBe('newer_claim');
    expect(after.json.channel).toMatchObject({ url: 'https://twitch.tv/contested', verified: true });
    // The older creator's claim on that channel is gone; their profile no longer lists it.
    expect((await api('/v1/creators/older_claim')).json.creator.channels).toEqual([]);
    expect((await api('/v1/creators/newer_claim')).json.creator.channels).toEqual([
      { url: 'https://twitch.tv/contested', site: 'twitch', verified: true },
      { url: 'https://kick.com/newer_only', site: 'kick', verified: false },
    ]);
    const verified = await adminChannels('true');
    expect(verified.filter((c) => c.url === 'https://twitch.tv/contested')).toEqual([
      expect.objectContaining({ handle: 'newer_claim', verified: true }),
    ]);
    expect((await adminChannels('false')).filter((c) => c.url === 'https://twitch.tv/contested')).toEqual([]);
    expect((await adminChannels()).filter((c) => c.url === 'https://twitch.tv/contested')).toHaveLength(1);
    expect(verified.every((c) => c.verified)).toBe(true);
    expect((await adminChannels('false')).every((c) => !c.verified)).toBe(true);

    // A later claim on a verified channel does not displace the verified creator.
    await makeCreator(third, 'third_claim', ['https://twitch.tv/contested']);
    expect((await resolve('https://twitch.tv/contested')).json.creator.handle).toBe('newer_claim');
    // The verified creator's other, unverified channel still resolves to nobody.
    expect((await resolve('https://kick.com/newer_only')).status).toBe(404);

    // Verifying is idempotent and refuses unknown creators.
    expect(
      (
        await api('/v1/admin/channels/verify', {
          body: { url: 'twitch.tv/contested', handle: 'newer_claim' },
          token: ADMIN,
        })
      ).status,
    ).toBe(200);
    const unknown = await api('/v1/admin/channels/verify', {
      body: { url: 'twitch.tv/contested', handle: 'no_such_creator' },
      token: ADMIN,
    });
    expect(unknown.status).toBe(404);
    expect((await resolve('https://twitch.tv/contested')).json.creator.handle).toBe('newer_claim');
    const badQuery = await api('/v1/admin/channels?verified=maybe', { token: ADMIN });
    expect(badQuery.status).toBe(400);
  });

  it('shows a public profile by handle without private details', async () => {
    const r = await api('/v1/creators/norm_streamer');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.creator).sort()).toEqual(['channels', 'displayName', 'handle', 'live']);
    expect(r.json.creator).toMatchObject({ handle: 'norm_streamer', displayName: 'Norm Streamer', live: false });
    expect(r.json.creator.channels).toHaveLength(4);
    expect(r.text).not.toMatch(/@example\.com|birthdate|user_id|"id"/);
    for (const handle of ['nobody_at_all', 'Norm_Streamer', 'norm-streamer']) {
      const missing = await api(`/v1/creators/${handle}`);
      expect(missing.status, handle).toBe(404);
      expect(missing.json.error.code).toBe('not_found');
    }
  });
});

describe('payouts', () => {
  let creator: TestUser;
  let first: string;
  const DEST = 'GB29 NWBK 6016 1331 9268 19';

  it('credits gifts once per transfer id, however often a batch arrives', async () => {
    creator = await signup({ name: 'Payout Creator' });
    await makeCreator(creator, 'payout_creator');
    const transferId = crypto.randomUUID();
    expect(await creditDiamonds(creator, 3000, transferId)).toEqual({ credited: 3000, duplicates: 0, forfeited: 0 });
    expect(await creditDiamonds(creator, 3000, transferId)).toEqual({ credited: 0, duplicates: 1, forfeited: 0 });
    const stub = walletStub(creator.id);
    const batch = uniqueKey('batch');
    const items = [
      { transferId: crypto.randomUUID(), diamonds: 1500, rateVersion: 1, from: 'A Viewer' },
      { transferId, diamonds: 3000, rateVersion: 1, from: null },
    ];
    expect(await stub.creditGifts(batch, items)).toEqual({ credited: 1500, duplicates: 1, forfeited: 0 });
    expect(await stub.creditGifts(batch, items)).toEqual({ credited: 0, duplicates: 2, forfeited: 0 });
    expect(await wallet(creator)).toMatchObject({ coins: 0, diamonds: 4500, diamondsPending: 0 });
    await expectCleanAudit();
  });

  it('refuses payouts under $10 or not in multiples of 10 diamonds; 1430 diamonds ($10.01) is the smallest', async () => {
    expect((await api('/v1/rates')).json.payoutMinimumDiamonds).toBe(1430);
    for (const diamonds of [10, 1000, 1420, 1425, 1429, 1431, 1435]) {
      const r = await requestPayout(creator, diamonds);
      expect(r.status, String(diamonds)).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'invalid_request', field: 'diamonds' });
    }
    expect(await wallet(creator)).toMatchObject({ diamonds: 4500, diamondsPending: 0 });

    const key = uniqueKey('payout');
    const r = await requestPayout(creator, 1430, DEST, key);
    expect(r.status).toBe(201);
    expect(r.json.payout).toMatchObject({
      diamonds: 1430,
      amount: { amount: 1001, currency: 'USD' },
      status: 'requested',
      decidedAt: null,
    });
    first = r.json.payout.id;
    expect(r.text).not.toContain(DEST);
    // Masked: only the last characters show, enough for the creator to recognise the account.
    expect(r.json.payout.destination).toMatch(/^•{4,}[^•]{1,4}$/);
    expect(r.json.payout.destination.replace(/•/g, '')).toMatch(/19$/);
    expect(r.json.payout.destination).not.toContain('GB29');

    // The diamonds leave the balance at once and wait as pending.
    expect(await wallet(creator)).toMatchObject({ diamonds: 4500 - 1430, diamondsPending: 1430 });
    const replay = await requestPayout(creator, 1430, DEST, key);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(r.text);
    const changed = await requestPayout(creator, 1440, DEST, key);
    expect(changed.status).toBe(409);
    expect(changed.json.error.code).toBe('idempotency_mismatch');
    expect(await wallet(creator)).toMatchObject({ diamonds: 3070, diamondsPending: 1430 });
    expect((await adminPayouts()).filter((p) => p.id === first)).toHaveLength(1);
    await expectCleanAudit();
  });

  it('refuses a payout larger than the diamonds held (402) and moves nothing', async () => {
    const r = await requestPayout(creator, 3080);
    expect(r.status).toBe(402);
    expect(r.json.error.code).toBe('insufficient_funds');
    expect(await wallet(creator)).toMatchObject({ diamonds: 3070, diamondsPending: 1430 });
    // Exactly what is held can be paid out.
    const all = await requestPayout(creator, 3070, 'PL61 1090 1014 0000 0712 1981 2874');
    expect(all.status).toBe(201);
    expect(all.json.payout.amount.amount).toBe(2149);
    expect(await wallet(creator)).toMatchObject({ diamonds: 0, diamondsPending: 4500 });
    await expectCleanAudit();
  });

  it("masks the destination in the creator's list and shows it in full to the operator", async () => {
    const mine = await api('/v1/creator/payouts', { token: creator.token });
    expect(mine.status).toBe(200);
    expect(mine.json.payouts.map((p: { diamonds: number; status: string }) => [p.diamonds, p.status])).toEqual([
      [3070, 'requested'],
      [1430, 'requested'],
    ]);
    expect(mine.text).not.toContain(DEST);
    expect(mine.text).not.toContain('PL61 1090');
    for (const p of mine.json.payouts) expect(p.destination).toMatch(/^•{4,}[^•]{1,4}$/);

    const requested = await adminPayouts('requested');
    const row = requested.find((p) => p.id === first)!;
    expect(row).toMatchObject({
      handle: 'payout_creator',
      diamonds: 1430,
      amount: { amount: 1001 },
      destination: DEST,
      status: 'requested',
    });
    expect(row.destinationMasked).not.toContain('GB29');
    expect(requested.every((p) => p.status === 'requested')).toBe(true);
    expect(await adminPayouts('paid')).toEqual([]);
  });

  it('pays a payout once: Idempotency-Key required, replays identical, changed body 409, second decision 409', async () => {
    const path = `/v1/admin/payouts/${first}`;
    const noKey = await api(path, { body: { status: 'paid' }, token: ADMIN });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.field).toBe('Idempotency-Key');
    expect((await adminPayouts('requested')).map((p) => p.id)).toContain(first);

    const key = uniqueKey('decide');
    const paid = await api(path, { body: { status: 'paid', reference: 'wire 2024-001' }, token: ADMIN, key });
    expect(paid.status).toBe(200);
    expect(paid.json.payout).toMatchObject({ id: first, status: 'paid', diamonds: 1430, reference: 'wire 2024-001' });
    expect(paid.json.payout.decidedAt).toEqual(expect.any(Number));
    const replay = await api(path, { body: { reference: 'wire 2024-001', status: 'paid' }, token: ADMIN, key });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(paid.text);
    const changed = await api(path, { body: { status: 'rejected' }, token: ADMIN, key });
    expect(changed.status).toBe(409);
    expect(changed.json.error.code).toBe('idempotency_mismatch');
    const second = await api(path, { body: { status: 'rejected' }, token: ADMIN, key: uniqueKey('decide') });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('conflict');
    const secondPaid = await api(path, { body: { status: 'paid' }, token: ADMIN, key: uniqueKey('decide') });
    expect(secondPaid.status).toBe(409);

    // Paid diamonds leave pending for good; none come back.
    expect(await wallet(creator)).toMatchObject({ diamonds: 0, diamondsPending: 3070 });
    expect((await adminPayouts('paid')).map((p) => p.id)).toEqual([first]);
    expect((await adminPayouts('requested')).map((p) => p.id)).not.toContain(first);
    const mine = (await api('/v1/creator/payouts', { token: creator.token })).json.payouts;
    expect(mine.find((p: { id: string }) => p.id === first)).toMatchObject({
      status: 'paid',
      reference: 'wire 2024-001',
    });
    await expectCleanAudit();
  });

  it('returns the diamonds of a rejected payout', async () => {
    const pending = (await adminPayouts('requested')).find((p) => p.handle === 'payout_creator')!;
    expect(pending.diamonds).toBe(3070);
    const r = await decidePayout(pending.id, { status: 'rejected', reference: 'account closed' });
    expect(r.status).toBe(200);
    expect(r.json.payout.status).toBe('rejected');
    expect(await wallet(creator)).toMatchObject({ diamonds: 3070, diamondsPending: 0 });
    const late = await decidePayout(pending.id, { status: 'paid' });
    expect(late.status).toBe(409);
    expect(await wallet(creator)).toMatchObject({ diamonds: 3070, diamondsPending: 0 });
    expect((await adminPayouts('rejected')).map((p) => p.id)).toEqual([pending.id]);
    const history = (await api('/v1/wallet/history', { token: creator.token })).json.entries as {
      kind: string;
      diamonds: number;
    }[];
    expect(history[0]).toMatchObject({ kind: 'reversal', diamonds: 3070 });
    // The returned diamonds can be requested again.
    expect((await requestPayout(creator, 1430)).status).toBe(201);
    expect(await wallet(creator)).toMatchObject({ diamonds: 1640, diamondsPending: 1430 });
    await expectCleanAudit();
  });

  it('refuses payouts to under-18 accounts', async () => {
    const kid = await signup({ adult: false, name: 'Young Creator' });
    const r = await become(kid, { handle: 'young_creator', channels: [] });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('age_restricted');
    const ask = await requestPayout(kid, 1430);
    expect(ask.status).toBe(403);
    // Even listed as a creator (a directory row the API would never write) and holding diamonds,
    // a minor's wallet refuses the payout.
    await env.DB.prepare('INSERT INTO creators (user_id, handle, created_at) VALUES (?, ?, ?)')
      .bind(kid.id, 'young_creator', now())
      .run();
    await creditDiamonds(kid, 2000);
    const listed = await requestPayout(kid, 1430);
    expect(listed.status).toBe(403);
    expect(listed.json.error.code).toBe('age_restricted');
    expect(await wallet(kid)).toMatchObject({ diamonds: 2000, diamondsPending: 0 });
    expect((await adminPayouts()).filter((p) => p.handle === 'young_creator')).toEqual([]);
    await expectCleanAudit();
  });

  // SPEC "Keys are scoped to the caller"; "Same key with a different body → 409": the operator is one
  // caller across every creator's wallet, so its key is bound to its first request in D1 (operator_keys)
  // and reusing it on another creator's payout is 409, not a second decision.
  it("an operator key reused on another creator's payout is refused as idempotency_mismatch", async () => {
    const [a, b] = [await signup({ name: 'Key A' }), await signup({ name: 'Key B' })];
    await makeCreator(a, 'op_key_a');
    await makeCreator(b, 'op_key_b');
    await creditDiamonds(a, 1430);
    await creditDiamonds(b, 1430);
    const pa = (await requestPayout(a, 1430)).json.payout.id;
    const pb = (await requestPayout(b, 1430)).json.payout.id;
    const key = uniqueKey('operator');
    expect((await api(`/v1/admin/payouts/${pa}`, { body: { status: 'paid' }, token: ADMIN, key })).status).toBe(200);
    const reused = await api(`/v1/admin/payouts/${pb}`, { body: { status: 'paid' }, token: ADMIN, key });
    expect((await wallet(b)).diamondsPending).toBe(1430);
    expect(reused.status).toBe(409);
  });
});

describe('rate cards', () => {
  // Creators keep 60% under this card, and it sells three packs.
  const card = (effectiveAt: number, over: Record<string, unknown> = {}) =>
    rateCardBody(effectiveAt, {
      packs: [100, 500, 1000].map((coins) => ({ id: `pack_${coins}`, coins })),
      custom: { min: 100, max: 50_000 },
      diamondValue: { numerator: 3, denominator: 5 },
      ...over,
    });
  const schedule = (body: unknown) => api('/v1/admin/rates/next', { method: 'PUT', body, token: ADMIN });

  it('refuses a card that would apply in the past or now', async () => {
    for (const at of [now() - 1, now() - 86_400_000, 1]) {
      const r = await schedule(card(at));
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'invalid_request', field: 'effectiveAt' });
    }
    expect((await api('/v1/rates')).json).toMatchObject({ version: 1, next: null });
  });

  it('refuses a card whose payout step is not worth whole cents, and absurd amounts, with a 4xx', async () => {
    const inexact = await schedule(card(now() + HOUR, { payoutStep: 1 }));
    expect(inexact.status).toBe(400);
    expect(inexact.json.error.field).toBe('payoutStep');
    for (const over of [
      { coinPrice: { numerator: 0, denominator: 1 } },
      { diamondValue: { numerator: 1, denominator: 0 } },
      { custom: { min: 500, max: 100 } },
      { packs: [] },
      { currency: 'EUR' },
      { effectiveAt: 1e308 },
      { version: 7 },
    ]) {
      const r = await schedule(card(now() + HOUR, over));
      expect(r.status, JSON.stringify(over)).toBeGreaterThanOrEqual(400);
      expect(r.status, JSON.stringify(over)).toBeLessThan(500);
    }
    expect((await api('/v1/rates')).json).toMatchObject({ version: 1, next: null });
  });

  // SPEC "Bad input never yields a 5xx": a card whose payout step overflows the money math (mulFloor in
  // shared/src/money/rate-card.ts) is refused with 400.
  it('refuses a card whose payout step overflows with a 400, not a 500', async () => {
    const r = await schedule(
      card(now() + HOUR, { payoutStep: 2 ** 53 - 1, diamondValue: { numerator: 2 ** 53 - 1, denominator: 1 } }),
    );
    expect(r.status, r.text).toBe(400);
  });

  it('publishes a scheduled card as next and applies it only from its effective time, never retroactively', async () => {
    const u = await signup({ name: 'Rate Watcher' });
    const at = now() + HOUR;
    const first = await schedule(card(at + HOUR));
    expect(first.status).toBe(200);
    expect(first.json.card.version).toBe(2);
    // A newer schedule replaces a version that has not taken effect yet.
    const r = await schedule(card(at));
    expect(r.status).toBe(200);
    expect(r.json.card).toMatchObject({ version: 2, effectiveAt: at });
    const rates = (await api('/v1/rates')).json;
    expect(rates).toMatchObject({
      version: 1,
      creatorShare: { numerator: 7, denominator: 10 },
      next: { version: 2, effectiveAt: at },
    });
    expect(rates.packs).toHaveLength(6);

    const before = (await buy(u, { packId: 'pack_100' })).purchase;
    expect(before.rateVersion).toBe(1);
    advanceClock(at - now() - 1000); // one second before it applies
    const justBefore = (await buy(u, { coins: 100 })).purchase;
    expect(justBefore.rateVersion).toBe(1);
    expect((await api('/v1/rates')).json.version).toBe(1);

    advanceClock(2000);
    const now2 = (await api('/v1/rates')).json;
    expect(now2).toMatchObject({
      version: 2,
      effectiveAt: at,
      next: null,
      creatorShare: { numerator: 3, denominator: 5 },
    });
    expect(now2.summary).toMatch(/Creators keep 60% of what viewers pay, the platform 40%/);
    expect(now2.packs.map((p: { id: string }) => p.id)).toEqual(['pack_100', 'pack_500', 'pack_1000']);
    const after = (await buy(u, { packId: 'pack_500' })).purchase;
    expect(after.rateVersion).toBe(2);
    expect(
      (await api('/v1/purchases', { body: { packId: 'pack_2500' }, token: u.token, key: uniqueKey() })).status,
    ).toBe(400);
    expect((await api('/v1/purchases', { body: { coins: 60_000 }, token: u.token, key: uniqueKey() })).status).toBe(
      400,
    );

    // Payouts follow the card in force: 1430 diamonds is now under the minimum (10 diamonds = 6 cents).
    expect(now2.payoutMinimumDiamonds).toBe(1670);
    const c = await signup({ name: 'Card Creator' });
    await makeCreator(c, 'card_creator');
    await creditDiamonds(c, 3000);
    const small = await requestPayout(c, 1430);
    expect(small.status).toBe(400);
    expect(small.json.error.field).toBe('diamonds');
    const ok = await requestPayout(c, 1670);
    expect(ok.status).toBe(201);
    expect(ok.json.payout.amount.amount).toBe(1002);

    // A payout requested under the old card is paid at the amount it was requested for.
    const earlier = (await adminPayouts('requested')).find((p) => p.handle === 'payout_creator')!;
    expect(earlier).toMatchObject({ diamonds: 1430, amount: { amount: 1001 } });
    const paid = await decidePayout(earlier.id, { status: 'paid' });
    expect(paid.status).toBe(200);
    expect(paid.json.payout.amount).toEqual({ amount: 1001, currency: 'USD' });

    // Earlier purchases keep the version they were made under.
    expect((await api(`/v1/purchases/${before.id}`, { token: u.token })).json.purchase.rateVersion).toBe(1);
    const history = (await api('/v1/wallet/history', { token: u.token })).json.entries as {
      kind: string;
      coins: number;
      rateVersion: number;
    }[];
    expect(history.map((e) => [e.kind, e.coins, e.rateVersion])).toEqual([
      ['purchase', 500, 2],
      ['purchase', 100, 1],
      ['purchase', 100, 1],
    ]);
    await expectCleanAudit();
  });
});
