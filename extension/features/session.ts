// Signing in and out. The token is written to the background's database and never leaves the background.
import type { AuthUser } from '../lib/api';
import { ownerOf, type SessionRow } from '../lib/db';
import type { Reply, SessionView } from '../lib/replies';
import { apiFor, fail, ok, relay, type BackgroundContext } from './context';

export function sessionView(s: SessionRow | null): SessionView | null {
  return s
    ? {
        server: s.server,
        user: {
          id: s.user.id,
          displayName: s.user.displayName,
          adult: s.user.adult,
          ...(s.user.email ? { email: s.user.email } : {}),
        },
      }
    : null;
}

async function begin(
  ctx: BackgroundContext,
  server: string,
  token: string,
  user: AuthUser,
): Promise<Reply<SessionView>> {
  const row: SessionRow = { id: 'current', server, token, user };
  await ctx.db.session.put(row);
  // Gifts this account queued before are due again now that it can send them.
  void ctx.outbox.flush().catch(() => undefined);
  return ok(sessionView(row)!);
}

export async function signIn(ctx: BackgroundContext, email: string, password: string): Promise<Reply<SessionView>> {
  const server = await ctx.getServer();
  const res = await apiFor(ctx, server).login({ email, password });
  if (!res.ok) return relay(ctx, res);
  return begin(ctx, server, res.data.token, res.data.user);
}

export async function signUp(
  ctx: BackgroundContext,
  body: { email: string; password: string; displayName: string; birthdate: string },
): Promise<Reply<SessionView>> {
  const server = await ctx.getServer();
  const res = await apiFor(ctx, server).signup(body);
  if (!res.ok) return relay(ctx, res);
  return begin(ctx, server, res.data.token, res.data.user);
}

/** Ends the session here even when the server cannot be told; drops what was cached for the account. */
export async function signOut(ctx: BackgroundContext): Promise<Reply<null>> {
  const session = await ctx.session();
  if (!session) return ok(null);
  await apiFor(ctx, session.server, session).logout();
  const owner = ownerOf(session);
  await ctx.db.transaction('rw', ctx.db.session, ctx.db.history, ctx.db.cache, async () => {
    await ctx.db.session.delete('current');
    await ctx.db.history.where('owner').equals(owner).delete();
    await ctx.db.cache.where('name').startsWith(`${owner}:`).delete();
  });
  return ok(null);
}

export async function setServer(ctx: BackgroundContext, server: string): Promise<Reply<{ server: string }>> {
  if (!(await ctx.hasPermission(server)))
    return fail('permission_denied', `The extension may not talk to ${server} yet.`);
  const current = await ctx.getServer();
  if (current !== server) {
    // A token belongs to one server: switching servers signs out locally.
    const session = await ctx.session();
    if (session) await signOut(ctx);
    await ctx.setServer(server);
  }
  return ok({ server });
}
