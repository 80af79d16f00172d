import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSound } from './sound';

class FakeAudioContext {
  static made = 0;
  state = 'running';
  currentTime = 0;
  destination = {};
  oscillators: { frequency: { value: number }; type: string }[] = [];
  constructor() {
    FakeAudioContext.made++;
    contexts.push(this);
  }
  resume = vi.fn(async () => {});
  createOscillator() {
    const o = { type: '', frequency: { value: 0 }, connect: (g: unknown) => g, start: vi.fn(), stop: vi.fn() };
    this.oscillators.push(o);
    return o;
  }
  createGain() {
    return { gain: { setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() }, connect: (d: unknown) => d };
  }
}
const contexts: FakeAudioContext[] = [];

afterEach(() => {
  vi.unstubAllGlobals();
  contexts.length = 0;
  FakeAudioContext.made = 0;
});

describe('alert sounds', () => {
  it('stay silent unless the URL asks for sound (no AudioContext at all)', () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    createSound(false).play('epic');
    expect(FakeAudioContext.made).toBe(0);
  });

  it('play a longer motif for a bigger tier, from synthesised tones', () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    let now = 0;
    const sound = createSound(true, () => now);
    const notes: number[] = [];
    for (const tier of ['small', 'medium', 'large', 'epic'] as const) {
      const before = contexts[0]?.oscillators.length ?? 0;
      sound.play(tier);
      notes.push(contexts[0]!.oscillators.length - before);
      now += 1_000;
    }
    expect(notes).toEqual([1, 2, 3, 5]);
    expect(FakeAudioContext.made).toBe(1);
  });

  it('do not pile up during a burst', () => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const sound = createSound(true, () => 0);
    for (let i = 0; i < 50; i++) sound.play('small');
    expect(contexts[0]!.oscillators).toHaveLength(1);
  });

  it('fall silent instead of failing where WebAudio is missing', () => {
    vi.stubGlobal('AudioContext', undefined);
    expect(() => createSound(true).play('large')).not.toThrow();
  });
});
