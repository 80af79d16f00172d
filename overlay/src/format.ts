const number = new Intl.NumberFormat('en-US');

export function formatNumber(n: number): string {
  return number.format(n);
}

/** "Ada", "Ada and Bo", "Ada, Bo +3": names stay whole, the rest is counted. */
export function nameList(names: readonly string[], shown = 2): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} +${names.length - shown}` : head;
}
