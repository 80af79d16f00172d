/** An exact ratio of two integers; money never goes through floating point. */
export interface Fraction {
  numerator: number;
  denominator: number;
}

export function isSafeCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function assertCount(n: number, what: string): void {
  if (!isSafeCount(n)) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

/** n × f, rounded down, with what rounding dropped (in units of 1/denominator). */
export function mulFloor(n: number, f: Fraction): { value: number; remainder: number } {
  assertCount(n, 'amount');
  const product = BigInt(n) * BigInt(f.numerator);
  const den = BigInt(f.denominator);
  const value = product / den;
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount overflows');
  return { value: Number(value), remainder: Number(product % den) };
}

/** n × f, rounded up: what a buyer pays when a price is not whole. */
export function mulCeil(n: number, f: Fraction): number {
  const { value, remainder } = mulFloor(n, f);
  return remainder === 0 ? value : value + 1;
}

/** True when n × f is a whole number. */
export function mulExact(n: number, f: Fraction): boolean {
  return mulFloor(n, f).remainder === 0;
}
