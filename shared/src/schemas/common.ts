import { z } from 'zod';

/** Amounts are safe integers: zod's `int()` refuses floats, NaN and anything beyond 2^53 - 1. */
export const Count = z.int().nonnegative();
export const PositiveCount = z.int().positive();

export const MoneySchema = z.object({ amount: z.int(), currency: z.literal('USD') });
export const FractionSchema = z.object({ numerator: z.int().positive(), denominator: z.int().positive() });

// Control characters (C0, DEL, C1) and bidirectional overrides never reach storage or screens.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(s: string): string {
  return s.replace(CONTROL, '');
}

/** User-typed text: control characters removed, trimmed, then length-checked. */
export function text(min: number, max: number) {
  return z
    .string()
    .transform((s) => stripControl(s).normalize('NFC').trim())
    .pipe(z.string().min(min).max(max));
}

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

export const IdempotencyKey = z.string().min(1).max(255);
