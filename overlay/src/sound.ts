import type { Tier } from '@giftstream/shared';

/**
 * Optional alert sounds, synthesised with WebAudio (no audio files to fetch): a short motif per tier,
 * longer and richer as the gift is worth more. OBS browser sources may play audio without a click;
 * elsewhere the context stays suspended and the overlay is simply silent.
 */
const MOTIFS: Record<Tier, readonly number[]> = {
  small: [880],
  medium: [660, 990],
  large: [523, 659, 784],
  epic: [523, 659, 784, 1047, 1319],
};
const NOTE_S = 0.11;
/** Bursts do not become noise: at most one motif this often. */
const MIN_GAP_MS = 250;

export interface Sound {
  play(tier: Tier): void;
}

export function createSound(enabled: boolean, now: () => number = Date.now): Sound {
  let ctx: AudioContext | null = null;
  let last = -Infinity;
  return {
    play(tier) {
      if (!enabled || now() - last < MIN_GAP_MS) return;
      last = now();
      try {
        ctx ??= new AudioContext();
        if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
        const start = ctx.currentTime + 0.02;
        MOTIFS[tier].forEach((freq, i) => {
          const t = start + i * NOTE_S;
          const osc = ctx!.createOscillator();
          const gain = ctx!.createGain();
          osc.type = tier === 'epic' ? 'triangle' : 'sine';
          osc.frequency.value = freq;
          gain.gain.setValueAtTime(0.0001, t);
          gain.gain.exponentialRampToValueAtTime(0.18, t + 0.015);
          gain.gain.exponentialRampToValueAtTime(0.0001, t + NOTE_S * 1.8);
          osc.connect(gain).connect(ctx!.destination);
          osc.start(t);
          osc.stop(t + NOTE_S * 2);
        });
      } catch {
        // No audio device or WebAudio unavailable: alerts still show.
        enabled = false;
      }
    },
  };
}
