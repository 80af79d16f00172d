// Which channel a stream page belongs to: from its URL, and on pages whose URL names no channel (a YouTube
// video) from the page's own channel link.
import { parseChannelUrl, type Channel } from '@giftstream/shared';

/** Sub-pages that carry the channel name one segment later, e.g. twitch.tv/popout/NAME/chat. */
const NESTED: Record<string, string[]> = {
  'twitch.tv': ['popout', 'moderator', 'embed'],
  'kick.com': ['popout'],
};

function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^(www|m|mobile|player|dashboard)\./, '');
}

/** Links a YouTube watch or live page keeps to its channel, most specific first. */
const YOUTUBE_OWNER_LINKS = [
  'ytd-watch-metadata ytd-channel-name a[href]',
  '#owner ytd-channel-name a[href]',
  'ytd-video-owner-renderer a[href]',
  'span[itemprop="author"] link[itemprop="url"]',
];

export function detectChannel(pageUrl: string, doc?: Document): Channel | null {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  const host = hostOf(url);
  const segments = url.pathname.split('/').filter(Boolean);
  const nested = NESTED[host];
  if (nested && segments.length >= 2 && nested.includes(segments[0]!.toLowerCase())) {
    return parseChannelUrl(`https://${host}/${segments[1]}`);
  }
  const direct = parseChannelUrl(pageUrl);
  if (direct) return direct;
  if (host === 'youtube.com' && doc) {
    for (const selector of YOUTUBE_OWNER_LINKS) {
      const el = doc.querySelector(selector);
      const href = el?.getAttribute('href');
      if (!href) continue;
      const found = parseChannelUrl(new URL(href, 'https://www.youtube.com').href);
      if (found) return found;
    }
  }
  return null;
}

/** True when `channel` is on the same site as the page at `pageUrl`: a page may only speak for its own site. */
export function sameSite(pageUrl: string, channel: Channel): boolean {
  try {
    return hostOf(new URL(pageUrl)) === channel.key.split('/')[0];
  } catch {
    return false;
  }
}
