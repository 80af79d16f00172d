import type { MiddlewareHandler } from 'hono';
import { requireAdmin, requireUser } from './auth';
import { creatorOfUser } from './directory/creators';
import type { AppEnv } from './env';
import { fail } from './http';

/**
 * Who may call a route. Each route's definition names one; the guard below enforces it, and the
 * authorization matrix, the OpenAPI document and docs/api.md read it from the same definition.
 * - `adult`: a signed-in user; the handler refuses under-18s (`age_restricted`) once the request is valid.
 * - `stripe`: anyone; the handler accepts only a payload signed with the webhook secret.
 */
export type Access = 'public' | 'user' | 'adult' | 'creator' | 'admin' | 'stripe';

/** Requires the signed-in user to be a creator; sets `creator`. */
export const requireCreator: MiddlewareHandler<AppEnv> = async (c, next) => {
  const row = await creatorOfUser(c.env, c.get('user').id);
  if (!row) return fail(c, 'forbidden', 'Only creators can do this; become one with POST /v1/creators.');
  c.set('creator', row);
  await next();
};

export const GUARDS: Record<Access, MiddlewareHandler<AppEnv>[]> = {
  public: [],
  stripe: [],
  user: [requireUser],
  adult: [requireUser],
  creator: [requireUser, requireCreator],
  admin: [requireAdmin],
};

/** The OpenAPI security requirement of each access level (schemes declared in openapi.ts). */
export const SECURITY: Record<Access, Record<string, string[]>[] | undefined> = {
  public: undefined,
  user: [{ session: [] }],
  adult: [{ session: [] }],
  creator: [{ session: [] }],
  admin: [{ operator: [] }],
  stripe: [{ stripeSignature: [] }],
};
