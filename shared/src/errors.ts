/** Error codes of the v1 API, with the status each is sent with. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  insufficient_funds: 402,
  forbidden: 403,
  age_restricted: 403,
  spending_limit: 403,
  gift_limit: 403,
  self_gift: 403,
  in_debt: 403,
  not_found: 404,
  conflict: 409,
  idempotency_mismatch: 409,
  not_live: 409,
  email_taken: 409,
  handle_taken: 409,
  payload_too_large: 413,
  rate_limited: 429,
  payment_provider_error: 502,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

/** A response computed where the money moved, stored byte for byte for idempotent replays. */
export interface ApiReply {
  status: number;
  body: string;
}

export function reply(status: number, value: unknown): ApiReply {
  return { status, body: JSON.stringify(value) };
}

/**
 * A stored reply and, when it is a success, the value its body holds, typed, so a caller that needs a
 * field of it reads `value` instead of parsing the body. An error's value is null.
 */
export type Reply<T> = ApiReply & { value: T | null };

/** Types a reply whose success body was written from a T (a replay's comes from storage, so it is read back here). */
export function withValue<T>(r: ApiReply): Reply<T> {
  return { ...r, value: r.status >= 200 && r.status < 300 ? (JSON.parse(r.body) as T) : null };
}

export function errorBody(code: ErrorCode, message: string, field?: string): ApiErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

export function errorReply(code: ErrorCode, message: string, field?: string): ApiReply {
  return reply(ERROR_STATUS[code], errorBody(code, message, field));
}

/** Stripe's rule: every answer is stored for replay except validation errors, auth, rate limits and server errors. */
export function isFinalStatus(status: number): boolean {
  return !(status === 400 || status === 401 || status === 429 || status >= 500);
}

/** JSON with object keys sorted, so two bodies that mean the same compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
