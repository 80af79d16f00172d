import { describe, expect, it } from 'vitest';
import { parseChannelUrl } from './channels';

describe('channel URLs', () => {
  it.each([
    ['https://www.twitch.tv/SomeStreamer', 'twitch.tv/somestreamer'],
    ['twitch.tv/somestreamer/', 'twitch.tv/somestreamer'],
    ['https://m.twitch.tv/somestreamer?referrer=raid#x', 'twitch.tv/somestreamer'],
    ['https://www.twitch.tv/somestreamer/videos', 'twitch.tv/somestreamer'],
    ['https://www.youtube.com/@Creator/live', 'youtube.com/@creator'],
    ['youtube.com/@creator', 'youtube.com/@creator'],
    ['https://kick.com/kicker', 'kick.com/kicker'],
    ['https://www.kick.com/kicker/', 'kick.com/kicker'],
    ['https://www.tiktok.com/@dancer/live?lang=en', 'tiktok.com/@dancer'],
  ])('%s → %s', (input, key) => {
    expect(parseChannelUrl(input)?.key).toBe(key);
  });

  it.each([
    'https://www.twitch.tv/',
    'https://www.twitch.tv/directory/gaming',
    'https://www.youtube.com/watch?v=abc',
    'https://www.tiktok.com/foryou',
    'https://evil.example/twitch.tv/x',
    'https://twitch.tv.evil.example/x',
    'javascript:alert(1)',
    'ftp://twitch.tv/x',
    '',
  ])('%s is not a channel', (input) => {
    expect(parseChannelUrl(input)).toBeNull();
  });
});
