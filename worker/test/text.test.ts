import { beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, resetClock } from '../src/clock';
import {
  api,
  creditDiamonds,
  heartFrom,
  historyCsv,
  liveRoom,
  requestPayout,
  sendGift,
  signup,
  type TestUser,
} from './helpers';

/**
 * Text people see goes through one rule (shared/src/text.ts) on every route that takes it: each found
 * case is refused with 400 naming the field, and nothing is written.
 */

const BLANKS: [string, string][] = [
  ['zero-width spaces', '\u200b\u200b\u200b'],
  ['Hangul fillers', '\u3164\u3164\u3164'],
  ['Braille blanks', '\u2800\u2800'],
  ['a Hangul filler and a zero-width space', '\u3164\u200b'],
];
const BROKEN: [string, string][] = [
  ['a lone surrogate', 'Alice\ud800'],
  ['a right-to-left override', 'Alice\u202e'],
  ['a zero-width space inside', 'Al\u200bice'],
  ['a newline inside', 'Al\nice'],
];
const BAD = [...BLANKS, ...BROKEN];

function expectRefused(r: { status: number; json: any; text: string }, field: string) {
  expect(r.status, r.text).toBe(400);
  expect(r.json.error).toMatchObject({ code: 'invalid_request', field });
}

const signupBody = (displayName: string, birthdate = '1990-05-17') => ({
  email: `text-${crypto.randomUUID().slice(0, 8)}@example.com`,
  password: 'correct horse battery',
  displayName,
  birthdate,
});

describe('text people see', () => {
  let room: Awaited<ReturnType<typeof liveRoom>>;
  let payee: TestUser;
  beforeAll(async () => {
    room = await liveRoom({ coins: 1000 });
    payee = room.creator;
    await creditDiamonds(payee, 2000);
  });

  it.each(BAD)('sign-up refuses a display name of %s, and creates no account', async (_what, name) => {
    const body = signupBody(name);
    expectRefused(await api('/v1/auth/signup', { body }), 'displayName');
    expect((await api('/v1/auth/login', { body: { email: body.email, password: body.password } })).status).toBe(401);
  });

  it.each(BAD)('PATCH /v1/me refuses a display name of %s and keeps the old one', async (_what, name) => {
    const u = await signup({ name: 'Kept Name' });
    expectRefused(await api('/v1/me', { method: 'PATCH', body: { displayName: name }, token: u.token }), 'displayName');
    expect((await api('/v1/me', { token: u.token })).json.user.displayName).toBe('Kept Name');
  });

  it.each(BAD)('a live title of %s is refused', async (_what, title) => {
    expectRefused(await api('/v1/creator/live', { body: { live: true, title }, token: room.creator.token }), 'title');
  });

  it.each(BAD)('a goal label of %s is refused', async (_what, label) => {
    expectRefused(
      await api('/v1/creator/goal', { method: 'PUT', body: { label, coins: 500 }, token: room.creator.token }),
      'label',
    );
  });

  it.each(BAD)('a gift message of %s is refused and costs nothing', async (_what, message) => {
    expectRefused(await sendGift(room.viewer, room.handle, { giftId: 'rose', message }), 'message');
    expect((await api('/v1/wallet', { token: room.viewer.token })).json.coins).toBe(1000);
  });

  it.each(BAD)('a payout destination of %s is refused', async (_what, destination) => {
    expectRefused(await requestPayout(payee, 1430, destination), 'destination');
    expect((await api('/v1/creator/payouts', { token: payee.token })).json.payouts).toEqual([]);
  });

  it.each(BAD)('a blocked word of %s is refused', async (_what, word) => {
    expectRefused(
      await api('/v1/creator/moderation', {
        method: 'PUT',
        body: { blockedWords: ['fine', word] },
        token: room.creator.token,
      }),
      'blockedWords.1',
    );
  });

  it('stores text in NFC and keeps emoji built with ZWJ', async () => {
    const r = await api('/v1/auth/signup', { body: signupBody('Cafe\u0301 👩\u200d💻') });
    expect(r.status, r.text).toBe(201);
    expect(r.json.user.displayName).toBe('Caf\u00e9 👩\u200d💻');
    const g = await sendGift(room.viewer, room.handle, { giftId: 'rose', message: 'bravo 🏳\ufe0f\u200d🌈' });
    expect(g.status, g.text).toBe(201);
    expect(g.json.gift.message).toBe('bravo 🏳\ufe0f\u200d🌈');
  });
});

describe('birthdates', () => {
  const year = new Date().getUTCFullYear();
  it.each([
    ['next year', `${year + 1}-01-01`],
    ['far in the future', '2999-12-31'],
    ['30 February', '2001-02-30'],
    ['29 February of a common year', '2001-02-29'],
    ['31 April', '1990-04-31'],
    ['month 13', '1990-13-01'],
    ['before 1900', '1899-12-31'],
  ])('sign-up refuses a birthdate %s (%s) and creates no account', async (_what, birthdate) => {
    const body = signupBody('Dated', birthdate);
    expectRefused(await api('/v1/auth/signup', { body }), 'birthdate');
    expect((await api('/v1/auth/login', { body: { email: body.email, password: body.password } })).status).toBe(401);
  });

  it('the future is judged by the worker clock', async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    expectRefused(await api('/v1/auth/signup', { body: signupBody('Early', soon) }), 'birthdate');
    advanceClock(4 * 86_400_000);
    const r = await api('/v1/auth/signup', { body: signupBody('On Time', soon) });
    expect(r.status, r.text).toBe(201);
    expect(r.json.user.adult).toBe(false);
    resetClock();
  });
});

describe('history.csv', () => {
  it('defuses a formula hidden behind a number in a display name, and leaves negative numbers alone', async () => {
    const { creator, viewer: hostile } = await heartFrom('-1+HYPERLINK("http://evil.test","x")');
    const csv = await (await historyCsv(creator)).text();
    expect(csv).toContain(`"'-1+HYPERLINK(""http://evil.test"",""x"")"`);
    expect(csv).not.toMatch(/(^|,)"-1\+HYPERLINK/m);
    // The viewer's own export keeps the spent coins a number.
    const mine = await (await historyCsv(hostile)).text();
    expect(mine).toContain(`"gift","-1","0","-1","USD"`);
  });
});
