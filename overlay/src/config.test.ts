import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';

describe('overlay URL', () => {
  it('reads every parameter', () => {
    const c = parseConfig('?room=Ada_Live&token=ot_1&widgets=alerts,goal&minCoins=100&sound=1&theme=minimal');
    expect(c).toEqual({
      room: 'ada_live',
      token: 'ot_1',
      widgets: new Set(['alerts', 'goal']),
      minCoins: 100,
      sound: true,
      theme: 'minimal',
    });
  });

  it('falls back to sensible defaults for missing or unknown values', () => {
    const c = parseConfig('?room=ada&widgets=confetti&minCoins=lots&sound=maybe&theme=neon&extra=1');
    expect(c).toEqual({
      room: 'ada',
      token: null,
      widgets: new Set(['alerts', 'goal', 'leaderboard']),
      minCoins: 1,
      sound: false,
      theme: 'default',
    });
  });

  it('keeps the known widgets of a partly wrong list', () => {
    expect([...parseConfig('?room=ada&widgets=goal,,bogus').widgets]).toEqual(['goal']);
  });

  it('has no room when the handle is missing or malformed', () => {
    expect(parseConfig('').room).toBeNull();
    expect(parseConfig('?room=../admin').room).toBeNull();
    expect(parseConfig('?room=@ada').room).toBe('ada');
  });
});
