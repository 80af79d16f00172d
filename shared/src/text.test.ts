import { describe, expect, it } from 'vitest';
import { Birthdate, GiftRequest, SignupRequest } from './schemas/api';
import { birthdateProblem, cleanText, csvCell, isRealDate } from './text';

const refused = (s: string) => cleanText(s).ok === false;
const stored = (s: string) => {
  const r = cleanText(s);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(s)}: ${r.problem}`);
  return r.text;
};

describe('text people see', () => {
  it.each([
    ['zero-width spaces', '\u200b\u200b\u200b'],
    ['Hangul filler U+3164', '\u3164\u3164'],
    ['Hangul choseong filler U+115F', '\u115f'],
    ['Hangul jungseong filler U+1160', '\u1160'],
    ['halfwidth Hangul filler U+FFA0', '\uffa0'],
    ['Braille blank U+2800', '\u2800\u2800'],
    ['a Hangul filler between spaces', ' \u3000\u3164 '],
    ['combining marks alone', '\u0301\u0308'],
    ['variation selectors alone', '\ufe0f\ufe0e'],
  ])('refuses a name of %s', (_what, s) => {
    expect(refused(s)).toBe(true);
  });

  it.each([
    ['a lone high surrogate', 'ab\ud800c'],
    ['a lone low surrogate', '\udc00'],
    ['swapped surrogates', 'x\udfff\ud800'],
    ['a NUL', 'a\u0000b'],
    ['a bell', 'a\u0007b'],
    ['a newline inside', 'two\nlines'],
    ['a tab inside', 'a\tb'],
    ['a C1 control', 'a\u0085b'],
    ['a line separator', 'a\u2028b'],
    ['a right-to-left override', 'evil\u202egnp.exe'],
    ['a bidi isolate', 'a\u2066b'],
    ['a zero-width space between letters', 'r\u200bose'],
    ['a soft hyphen', 'ad\u00admin'],
    ['a byte order mark inside', 'a\ufeffb'],
    ['a ZWJ between letters', 'a\u200db'],
    ['a ZWJ at the end of an emoji', '👩\u200d'],
    ['a zero-width non-joiner', 'a\u200cb'],
  ])('refuses text with %s', (_what, s) => {
    expect(refused(s)).toBe(true);
  });

  it('keeps ZWJ inside emoji sequences', () => {
    for (const s of [
      '👩\u200d💻',
      '🏳\ufe0f\u200d🌈',
      '👨🏽\u200d💻',
      '👩\u200d❤\ufe0f\u200d👨',
      '🧑\u200d🧑\u200d🧒',
      'go 👩\u200d🦰 go',
    ]) {
      expect(stored(s)).toBe(s);
    }
  });

  it('trims whitespace-only text to empty, which a required field then refuses', () => {
    expect(stored(' \u3000\u00a0\u2003 ')).toBe('');
    expect(SignupRequest.shape.displayName.safeParse('\u3000 ').success).toBe(false);
  });

  it('normalizes to NFC and trims', () => {
    expect(stored('  Cafe\u0301 \n')).toBe('Café');
    expect(stored('Ａｌｉｃｅ')).toBe('Ａｌｉｃｅ'); // NFC, not NFKC: full-width letters are the writer's choice
  });

  it('accepts ordinary text in any script, emoji alone, and the empty string', () => {
    for (const s of ['Alice', 'Zoë', '김민지', 'محمد', 'भारत', '🌹', '❤️', '1', '-1+1', '']) expect(stored(s)).toBe(s);
  });

  it('a schema field names itself in the error', () => {
    const r = SignupRequest.safeParse({
      email: 'a@b.co',
      password: 'long enough',
      displayName: '\u3164',
      birthdate: '1990-01-01',
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['displayName']);
    const g = GiftRequest.safeParse({ giftId: 'rose', message: 'hi\ud800' });
    expect(g.error!.issues[0]!.path).toEqual(['message']);
  });
});

describe('birthdates', () => {
  const NOW = Date.UTC(2026, 5, 15, 12); // 2026-06-15 noon UTC

  it.each(['2001-02-29', '2001-02-30', '2000-13-01', '1999-00-10', '1999-04-31', '1990-1-1', '19900101', ''])(
    '%s is not a real date',
    (s) => {
      expect(isRealDate(s)).toBe(false);
      expect(Birthdate.safeParse(s).success).toBe(false);
    },
  );

  it('accepts leap days that exist and refuses dates before 1900 or after today', () => {
    expect(birthdateProblem('2000-02-29', NOW)).toBeNull();
    expect(birthdateProblem('1900-01-01', NOW)).toBeNull();
    expect(birthdateProblem('1899-12-31', NOW)).toMatch(/1900/);
    expect(birthdateProblem('2026-06-15', NOW)).toBeNull();
    expect(birthdateProblem('2026-06-16', NOW)).toBeNull(); // already today in UTC+14
    expect(birthdateProblem('2026-06-17', NOW)).toMatch(/future/);
    expect(birthdateProblem('2999-01-01', NOW)).toMatch(/future/);
    expect(birthdateProblem('2999-01-01')).toBeNull(); // without a clock the future is the caller's check
  });
});

describe('CSV cells', () => {
  it.each([
    ['-1+HYPERLINK("http://evil.test","x")', `"'-1+HYPERLINK(""http://evil.test"",""x"")"`],
    ['=1+2', `"'=1+2"`],
    ['+cmd|x', `"'+cmd|x"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['-', `"'-"`],
    ['-5', '"-5"'],
    ['+5', '"+5"'],
    ['-12.50', '"-12.50"'],
    [-1430, '"-1430"'],
    ['Alice', '"Alice"'],
    ['say "hi"', '"say ""hi"""'],
    [null, '""'],
  ])('%j → %s', (v, out) => {
    expect(csvCell(v)).toBe(out);
  });
});
