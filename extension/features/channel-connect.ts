// Proving a channel by signing in to its site: which sites the server has set up, and opening one's sign-in.
import type { ConnectSite } from '../lib/api';
import type { Replies, Reply } from '../lib/replies';
import { fail, ok, relay, relayCall, signedIn, type BackgroundContext } from './context';
import { forgetResolutions } from './gifting';

export async function connectSites(ctx: BackgroundContext): Promise<Reply<Replies['creator.connectSites']>> {
  return relayCall(ctx, (api) => api.connectSites());
}

/**
 * Starts proving a channel: the server hands out the site's sign-in URL (bound to this creator, good once)
 * and the background opens it in a tab, where the site sends the creator back to the server's callback.
 * Only an https page opens, or a loopback one (a local server and its fake sites in tests and development).
 */
export async function connect(ctx: BackgroundContext, site: ConnectSite): Promise<Reply<Replies['creator.connect']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.connect(site);
  if (!res.ok) return relay(ctx, res);
  if (!isOpenable(res.data.authorizationUrl))
    return fail('bad_response', 'The server answered a sign-in address this extension will not open.');
  await ctx.openTab(res.data.authorizationUrl);
  // The channel is verified in that tab; pages looked up before then must be looked up again.
  forgetResolutions();
  return ok({ site, opened: true });
}

function isOpenable(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
    );
  } catch {
    return false;
  }
}
