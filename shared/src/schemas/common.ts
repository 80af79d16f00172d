import { z } from 'zod';
import { cleanText } from '../text';

/** Amounts are safe integers: zod's `int()` refuses floats, NaN and anything beyond 2^53 - 1. */
export const Count = z.int().nonnegative();
export const PositiveCount = z.int().positive();

export const MoneySchema = z.object({ amount: z.int(), currency: z.literal('USD') });
export const FractionSchema = z.object({ numerator: z.int().positive(), denominator: z.int().positive() });

/**
 * Text people see, stored as `cleanText` leaves it (trimmed, NFC) or refused with the reason; then
 * length-checked. One rule for every such field, so each route answers 400 naming the field.
 */
export function text(min: number, max: number) {
  return z
    .string()
    .transform((s, ctx) => {
      const r = cleanText(s);
      if (r.ok) return r.text;
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    })
    .pipe(z.string().min(min).max(max));
}

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

export const IdempotencyKey = z.string().min(1).max(255);
