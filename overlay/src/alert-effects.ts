import type { ResolvedLook, TtsSettings } from '@giftstream/shared';
import { alertCoins, senders, type Alert } from './alert-queue';
import { mediaUrl } from './looks';
import type { Sound } from './sound';

/**
 * What an alert sounds like: the look's chime, its uploaded sound (once per combo, or on every gift that
 * raises the count), and its message read aloud. Messages arrive with the creator's blocked words already
 * applied by the room (a message with one is not sent at all), so nothing blocked is ever spoken.
 */
export interface Speaker {
  /** The voices this browser has; empty where it has none (many OBS builds). */
  voices(): SpeechSynthesisVoice[];
  speak(text: string, voice: string | null, rate: number): void;
}

export function browserSpeaker(): Speaker | null {
  if (typeof speechSynthesis === 'undefined' || typeof SpeechSynthesisUtterance === 'undefined') return null;
  return {
    voices: () => speechSynthesis.getVoices(),
    speak(text, voice, rate) {
      const u = new SpeechSynthesisUtterance(text);
      const v = voice ? speechSynthesis.getVoices().find((x) => x.name === voice) : undefined;
      if (v) u.voice = v;
      u.rate = rate;
      speechSynthesis.speak(u);
    },
  };
}

/** Plays an uploaded sound; a browser that refuses (no device, autoplay rules) leaves the alert silent. */
export function playFile(url: string): void {
  try {
    const audio = new Audio(url);
    void audio.play().catch(() => {});
  } catch {
    // No audio in this browser.
  }
}

/** What is read out: who sent it, then the message as shown. */
export function spokenText(a: Alert): string | null {
  if (!a.message) return null;
  return `${a.messageFrom ?? senders(a)[0] ?? 'Someone'} says: ${a.message}`;
}

export interface EffectsContext {
  origin: string;
  sounds: boolean;
  tts: TtsSettings;
  chime: Sound;
  speaker: Speaker | null;
  play?: (url: string) => void;
}

/** When an alert first appears. */
export function onAlertShown(a: Alert, look: ResolvedLook, cx: EffectsContext): void {
  const sound = look.sound;
  if (sound.kind === 'chime') cx.chime.play(a.tier);
  else if (sound.kind === 'file' && cx.sounds) (cx.play ?? playFile)(mediaUrl(cx.origin, sound.media));
  const text = spokenText(a);
  if (cx.tts.enabled && text && alertCoins(a) >= cx.tts.minCoins && cx.speaker?.voices().length)
    cx.speaker.speak(text, cx.tts.voice, cx.tts.rate);
}

/** When a gift raises the count of an alert already on screen: "on every gift" sounds play again. */
export function onAlertRaised(look: ResolvedLook, cx: EffectsContext): void {
  if (look.sound.kind === 'file' && look.sound.repeat === 'every' && cx.sounds)
    (cx.play ?? playFile)(mediaUrl(cx.origin, look.sound.media));
}
