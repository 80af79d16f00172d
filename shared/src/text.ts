/**
 * Rules for text people type and other people see (display names, titles, goal labels, gift messages,
 * payout destinations, blocked words), for dates people type, and for text that leaves as a CSV file.
 * Pure: the worker's schemas and the extension's forms both use these.
 */

const LONE_SURROGATE = /\p{Cs}/u;
// Line and paragraph separators act like newlines on screen, so they count as control characters here.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const FORMAT = /\p{Cf}/u;
// A zero-width joiner is how family, profession and flag emoji are built (👩‍💻, 🏳️‍🌈): allowed between two
// pictographs, the first optionally carrying a variation selector or a skin tone.
const EMOJI_ZWJ = /(?<=\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}]?)\u200D(?=\p{Extended_Pictographic})/gu;
// Letters, digits, punctuation and symbols draw ink; spaces, marks and format characters do not on their own.
const INK = /[\p{L}\p{N}\p{P}\p{S}]/gu;
// …except these, which are letters or symbols by category but draw nothing: the Hangul fillers (U+115F,
// U+1160, U+3164, U+FFA0) are Default_Ignorable, U+2800 is the blank Braille pattern.
const BLANK_INK = /[\p{Default_Ignorable_Code_Point}\u2800]/u;

export type TextResult = { ok: true; text: string } | { ok: false; problem: string };

/**
 * Text as stored: trimmed and normalized to NFC (the friendlier choice than refusing text a keyboard
 * produced decomposed; what is stored and shown is NFC either way). Refused, with a reason: lone
 * surrogates, control characters, format characters (except a ZWJ inside an emoji sequence), and
 * non-empty text with nothing visible in it. An empty result is allowed here; length is the caller's rule.
 */
export function cleanText(input: string): TextResult {
  if (LONE_SURROGATE.test(input)) return { ok: false, problem: 'contains a broken character (a lone surrogate)' };
  const text = input.normalize('NFC').trim();
  if (CONTROL.test(text)) return { ok: false, problem: 'contains a control character such as a line break or tab' };
  if (FORMAT.test(text.replace(EMOJI_ZWJ, ''))) return { ok: false, problem: 'contains an invisible format character' };
  if (text !== '' && !hasVisible(text)) return { ok: false, problem: 'has no visible character' };
  return { ok: true, text };
}

export function hasVisible(text: string): boolean {
  for (const [ch] of text.matchAll(INK)) if (!BLANK_INK.test(ch)) return true;
  return false;
}

// ---- dates ----

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as YYYY-MM-DD that exists (no 2001-02-30). */
export function isRealDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Why a birthdate cannot be right, or null. `nowMs` is the caller's clock (the worker's can be moved by
 * tests); without it the future is not checked. A date is in the future when it is after today in UTC+14,
 * the earliest time zone, so nobody anywhere is refused on their own birthday.
 */
export function birthdateProblem(s: string, nowMs?: number): string | null {
  if (!isRealDate(s)) return 'a real date as YYYY-MM-DD';
  if (s < '1900-01-01') return 'a date not before 1900';
  if (nowMs !== undefined && s > new Date(nowMs + 14 * 3_600_000).toISOString().slice(0, 10))
    return 'a date not in the future';
  return null;
}

// ---- CSV ----

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * One CSV cell, always quoted. A spreadsheet runs a cell that starts with = + - @ (or tab/CR before
 * them) as a formula, so such a cell gets a leading ' unless the whole cell is a number (-5 stays -5,
 * -1+HYPERLINK(…) does not).
 */
export function csvCell(v: unknown): string {
  const s = String(v ?? '');
  const safe = FORMULA_START.test(s) && !NUMBER.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}
