import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectChannel, sameSite } from '../features/channel-detect';

/** Page URLs as saved from each site's address bar, and the channel each one is. */
const SAVED_URLS: [site: string, url: string, key: string | null][] = [
  ['twitch', 'https://www.twitch.tv/demo_creator', 'twitch.tv/demo_creator'],
  ['twitch', 'https://www.twitch.tv/Demo_Creator?referrer=raid', 'twitch.tv/demo_creator'],
  ['twitch', 'https://m.twitch.tv/demo_creator/home', 'twitch.tv/demo_creator'],
  ['twitch', 'https://www.twitch.tv/demo_creator/videos?filter=archives', 'twitch.tv/demo_creator'],
  ['twitch', 'https://www.twitch.tv/popout/demo_creator/chat?popout=', 'twitch.tv/demo_creator'],
  ['twitch', 'https://dashboard.twitch.tv/moderator/demo_creator', 'twitch.tv/demo_creator'],
  ['twitch', 'https://www.twitch.tv/directory/category/just-chatting', null],
  ['twitch', 'https://www.twitch.tv/', null],
  ['youtube', 'https://www.youtube.com/@SynthMaker', 'youtube.com/@synthmaker'],
  ['youtube', 'https://www.youtube.com/@SynthMaker/live', 'youtube.com/@synthmaker'],
  ['youtube', 'https://m.youtube.com/@synthmaker/streams', 'youtube.com/@synthmaker'],
  ['youtube', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', null],
  ['youtube', 'https://www.youtube.com/feed/subscriptions', null],
  ['kick', 'https://kick.com/trainwreck', 'kick.com/trainwreck'],
  ['kick', 'https://kick.com/popout/trainwreck/chat', 'kick.com/trainwreck'],
  ['kick', 'https://kick.com/categories/irl', null],
  ['tiktok', 'https://www.tiktok.com/@dancer.one/live', 'tiktok.com/@dancer.one'],
  ['tiktok', 'https://www.tiktok.com/@dancer.one/video/7300000000000000000?lang=en', 'tiktok.com/@dancer.one'],
  ['tiktok', 'https://www.tiktok.com/explore', null],
  ['other', 'https://example.com/demo_creator', null],
  ['other', 'not a url', null],
];

function page(file: string): Document {
  const doc = document.implementation.createHTMLDocument('saved');
  doc.documentElement.innerHTML = readFileSync(join(__dirname, 'fixtures', file), 'utf8');
  return doc;
}

describe('channel detection', () => {
  it.each(SAVED_URLS)('%s: %s', (_site, url, key) => {
    expect(detectChannel(url)?.key ?? null).toBe(key);
  });

  it('reads the channel of a YouTube video from the saved page', () => {
    const c = detectChannel('https://www.youtube.com/watch?v=dQw4w9WgXcQ', page('youtube-watch.html'));
    expect(c?.key).toBe('youtube.com/@synthmaker');
    expect(c?.url).toBe('https://youtube.com/@synthmaker');
  });

  it('falls back to the page microdata when the player markup is not there yet', () => {
    expect(detectChannel('https://www.youtube.com/watch?v=abc', page('youtube-watch-microdata-only.html'))?.key).toBe(
      'youtube.com/@quiet_channel',
    );
  });

  it('ignores page links on other sites (a page cannot name a channel elsewhere)', () => {
    const doc = page('youtube-watch.html');
    expect(detectChannel('https://kick.com/categories/irl', doc)).toBeNull();
  });

  it('knows which site a page is on', () => {
    const yt = detectChannel('https://www.youtube.com/@SynthMaker')!;
    expect(sameSite('https://www.youtube.com/watch?v=1', yt)).toBe(true);
    expect(sameSite('https://www.twitch.tv/synthmaker', yt)).toBe(false);
  });
});
