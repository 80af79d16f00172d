import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { birthdateProblem, cleanText, csvCell, hasVisible, isRealDate } from './text';

/** Characters that tend to break text rules: blanks, fillers, controls, format characters, surrogate halves, emoji parts. */
const tricky = fc.constantFrom(
  ...[
    '\u200b',
    '\u200c',
    '\u200d',
    '\u2060',
    '\ufeff',
    '\u00ad',
    '\u3164',
    '\u115f',
    '\u1160',
    '\uffa0',
    '\u2800',
    '\u3000',
    '\u00a0',
  ],
  ...[
    '\u0000',
    '\u0007',
    '\t',
    '\n',
    '\r',
    '\u0085',
    '\u2028',
    '\u202e',
    '\u2066',
    '\ud800',
    '\udc00',
    '\ufe0f',
    '\u0301',
  ],
  ...['👩', '💻', '🏽', '❤', 'e', 'A', '-', '=', ' ', '\u{E0067}'],
);
const unit = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 1 }),
  fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
);
const anyText = fc.array(unit, { maxLength: 12 }).map((parts) => parts.join(''));

const INVISIBLE = [
  '\u200b',
  '\u2060',
  '\ufeff',
  '\u3164',
  '\u115f',
  '\u1160',
  '\uffa0',
  '\u2800',
  '\u3000',
  '\u00a0',
  ' ',
  '\ufe0f',
  '\u0301',
];

describe('text rule, for any input', () => {
  it('stores only well-formed, NFC, trimmed text with no control or stray format character, visible unless empty', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = cleanText(s);
        if (!r.ok) return;
        const t = r.text;
        expect(/\p{Cs}/u.test(t)).toBe(false);
        expect(t.normalize('NFC')).toBe(t);
        expect(t.trim()).toBe(t);
        expect(/[\p{Cc}\p{Zl}\p{Zp}]/u.test(t)).toBe(false);
        expect(/\p{Cf}/u.test(t.replace(/\u200d/g, ''))).toBe(false);
        expect(t === '' || hasVisible(t)).toBe(true);
        // Storing stored text again changes nothing.
        expect(cleanText(t)).toEqual({ ok: true, text: t });
      }),
      { numRuns: 5_000 },
    );
  });

  it('never stores a non-empty text made only of invisible characters', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INVISIBLE), { minLength: 1, maxLength: 10 }), (parts) => {
        const r = cleanText(parts.join(''));
        expect(r.ok ? r.text : '').toBe('');
      }),
    );
  });
});

describe('CSV cells, for any value', () => {
  /** A spreadsheet reads a quoted cell as its content with doubled quotes undone. */
  const content = (cell: string) => {
    expect(cell.startsWith('"') && cell.endsWith('"')).toBe(true);
    const inner = cell.slice(1, -1);
    expect(inner.replace(/""/g, '').includes('"')).toBe(false);
    return inner.replace(/""/g, '"');
  };

  it('starts with a formula character only when it is a number, and otherwise keeps the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '1', '.', '"', 'A', '(', ' ') }),
          anyText,
          fc.double(),
          fc.integer(),
        ),
        (v) => {
          const s = String(v);
          const c = content(csvCell(v));
          if (/^[=+\-@\t\r]/.test(c)) expect(Number.isFinite(Number(c))).toBe(true);
          expect(c === s || c === `'${s}`).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('leaves every integer as a number', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(content(csvCell(n))).toBe(String(n));
      }),
    );
  });
});

describe('birthdates, for any day', () => {
  it('agree with the calendar: real, from 1900, not after today', () => {
    const day = fc.date({
      min: new Date('1800-01-01T00:00:00Z'),
      max: new Date('2200-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(day, day, (d, now) => {
        const s = d.toISOString().slice(0, 10);
        expect(isRealDate(s)).toBe(true);
        const problem = birthdateProblem(s, now.getTime());
        // In the future: the day had not begun yet in UTC+14, the first time zone to reach it.
        const tooLate = Date.parse(`${s}T00:00:00+14:00`) > now.getTime();
        expect(problem === null).toBe(s >= '1900-01-01' && !tooLate);
      }),
    );
  });

  it('refuses every day-of-month past the end of its month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 29, max: 31 }),
        (y, m, d) => {
          const s = `${y}-${String(m).padStart(2, '0')}-${d}`;
          const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
          expect(isRealDate(s)).toBe(d <= last);
        },
      ),
    );
  });
});
