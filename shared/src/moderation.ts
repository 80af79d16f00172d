/**
 * Blocked-word matching for gift messages: case-insensitive, on whole words, after folding the tricks
 * people use to slip a word past a filter: accents, full-width and stylised letters (NFKD), look-alike
 * Cyrillic and Greek letters, digits and symbols standing for letters, and letters spaced or dotted apart
 * ("B A D", "b.a.d"). It is a simple rule, so it errs on the side of the creator's list.
 */
const LETTER_LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ζ: 'z',
};
const DIGIT_LOOKALIKES: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
};
const SYMBOL_LOOKALIKES: Record<string, string> = {
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '€': 'e',
};

/**
 * Lower-cases and folds a text to plain a–z words (other scripts kept as they are). `digits` and
 * `symbols` say whether those that stand for letters ("b4d", "$pam") become the letters they stand for.
 */
export function foldText(text: string, { digits = true, symbols = true } = {}): string {
  const decomposed = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return [...decomposed]
    .map(
      (ch) =>
        LETTER_LOOKALIKES[ch] ??
        (digits ? DIGIT_LOOKALIKES[ch] : undefined) ??
        (symbols ? SYMBOL_LOOKALIKES[ch] : undefined) ??
        ch,
    )
    .join('');
}

function words(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Every word spelled by a run of single letters ("b a d", "b.a.d", "a S C A M" → …, "scam", …). */
function joinedSingles(folded: string): string[] {
  const tokens = words(folded);
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    for (let i = 0; i < run.length; i++) for (let j = i + 2; j <= run.length; j++) out.push(run.slice(i, j).join(''));
    run = [];
  };
  for (const t of tokens) {
    if ([...t].length === 1) run.push(t);
    else flush();
  }
  flush();
  return out;
}

export function normalizeBlockedWords(list: readonly string[]): string[] {
  return [...new Set(list.map((w) => words(foldText(w)).join('')).filter((w) => w.length > 0))].sort();
}

/** The first blocked word the message contains, or null. */
export function findBlockedWord(message: string, blocked: readonly string[]): string | null {
  if (!blocked.length || !message) return null;
  const set = new Set(normalizeBlockedWords(blocked));
  // "!" may be an "i" or just an exclamation mark: each reading is tried.
  const readings = [
    foldText(message),
    foldText(message, { symbols: false }),
    foldText(message, { digits: false, symbols: false }),
  ];
  const candidates = readings.flatMap((folded) => [...words(folded), ...joinedSingles(folded)]);
  for (const w of candidates) {
    if (set.has(w)) return w;
    // A repeated letter ("baaad") is folded too, so stretched words are caught.
    const squeezed = w.replace(/(.)\1+/g, '$1');
    for (const b of set) if (b.replace(/(.)\1+/g, '$1') === squeezed) return b;
  }
  return null;
}
