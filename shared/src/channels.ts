/** Stream sites the extension knows, and how a page's URL names its channel. */
export type Site = 'twitch' | 'youtube' | 'kick' | 'tiktok';

const SITES: { site: Site; host: string; prefix: '' | '@' }[] = [
  { site: 'twitch', host: 'twitch.tv', prefix: '' },
  { site: 'youtube', host: 'youtube.com', prefix: '@' },
  { site: 'kick', host: 'kick.com', prefix: '' },
  { site: 'tiktok', host: 'tiktok.com', prefix: '@' },
];

/** Paths on these sites that are pages of the site, not channels. */
const RESERVED = new Set([
  'directory',
  'videos',
  'settings',
  'search',
  'p',
  'downloads',
  'jobs',
  'turbo',
  'login',
  'signup',
  'categories',
  'browse',
  'following',
  'explore',
  'watch',
  'feed',
  'results',
  'live',
  'inbox',
  'messages',
]);

const NAME = /^[a-z0-9_.-]{1,64}$/;

export interface Channel {
  site: Site;
  name: string;
  /** The canonical form claims are stored and looked up by, e.g. `twitch.tv/name`. */
  key: string;
  url: string;
}

/**
 * Reads a stream page's URL (with or without scheme, `www.` or `m.`, query, fragment, trailing slash or a
 * sub-page such as `/live`) and returns its channel, or null if it is not a channel page of a known site.
 */
export function parseChannelUrl(input: string): Channel | null {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  const entry = SITES.find((s) => s.host === host);
  if (!entry) return null;
  let first: string;
  try {
    first = decodeURIComponent(url.pathname.split('/').filter(Boolean)[0] ?? '').toLowerCase();
  } catch {
    return null; // a broken %-escape is not a channel
  }
  if (entry.prefix === '@') {
    if (!first.startsWith('@')) return null;
  } else if (first.startsWith('@') || RESERVED.has(first)) return null;
  const name = entry.prefix === '@' ? first.slice(1) : first;
  if (!NAME.test(name)) return null;
  const key = `${entry.host}/${entry.prefix}${name}`;
  return { site: entry.site, name, key, url: `https://${key}` };
}
