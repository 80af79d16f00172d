import type { TtsSettings } from '@giftstream/shared';
import { useEffect, useState } from 'preact/hooks';

/** The voices this browser offers; they load late in Chromium, so the list follows `voiceschanged`. */
function useVoices(): SpeechSynthesisVoice[] | null {
  const supported = typeof speechSynthesis !== 'undefined';
  const [voices, setVoices] = useState<SpeechSynthesisVoice[]>(() => (supported ? speechSynthesis.getVoices() : []));
  useEffect(() => {
    if (!supported) return;
    const update = () => setVoices(speechSynthesis.getVoices());
    speechSynthesis.addEventListener('voiceschanged', update);
    const late = setTimeout(update, 1000);
    return () => {
      speechSynthesis.removeEventListener('voiceschanged', update);
      clearTimeout(late);
    };
  }, []);
  return supported ? voices : null;
}

export function TtsPanel({ tts, onChange }: { tts: TtsSettings; onChange: (t: TtsSettings) => void }) {
  const voices = useVoices();
  const none = !voices || voices.length === 0;
  const test = () => {
    const u = new SpeechSynthesisUtterance('Ada says: love the stream, keep going!');
    const v = voices?.find((x) => x.name === tts.voice);
    if (v) u.voice = v;
    u.rate = tts.rate;
    speechSynthesis.speak(u);
  };
  return (
    <section>
      <h2>Read messages aloud</h2>
      {none && (
        <p class="note warn" role="note" data-testid="no-voices">
          {voices === null ? 'This browser has no speech synthesis' : 'This browser has no text-to-speech voice'}, so
          nothing can be read out here. OBS's browser source often has none either: messages are then shown, not spoken.
          The setting is still saved for browsers that have voices.
        </p>
      )}
      <label class="check">
        <input
          type="checkbox"
          checked={tts.enabled}
          onChange={(e) => onChange({ ...tts, enabled: e.currentTarget.checked })}
        />{' '}
        Read gift messages aloud
      </label>
      <p class="muted">
        Messages with one of your blocked words are never sent to the overlay, so they are never read.
      </p>
      <label class="field">
        <span>From</span>
        <span class="row">
          <input
            type="number"
            min={1}
            aria-label="Read messages from (coins)"
            value={tts.minCoins}
            onChange={(e) =>
              onChange({ ...tts, minCoins: Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)) })
            }
          />{' '}
          coins
        </span>
      </label>
      <label class="field">
        <span>Voice</span>
        <select
          aria-label="Voice"
          value={tts.voice ?? ''}
          onChange={(e) => onChange({ ...tts, voice: e.currentTarget.value || null })}
        >
          <option value="">The browser's default voice</option>
          {tts.voice && !voices?.some((v) => v.name === tts.voice) && (
            <option value={tts.voice}>{tts.voice} (not in this browser)</option>
          )}
          {(voices ?? []).map((v) => (
            <option key={v.name} value={v.name}>
              {v.name} ({v.lang})
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Speed</span>
        <input
          type="range"
          min={0.5}
          max={2}
          step={0.1}
          aria-label="Speed"
          value={tts.rate}
          onInput={(e) => onChange({ ...tts, rate: Number(e.currentTarget.value) })}
        />
        <span>{tts.rate.toFixed(1)}×</span>
      </label>
      <button type="button" class="secondary" disabled={none} onClick={test}>
        Hear a sample
      </button>
    </section>
  );
}
