import {
  DEFAULT_LOOK,
  ENTER_ANIMATIONS,
  EXIT_ANIMATIONS,
  FONTS,
  POSITIONS,
  type AlertLook,
  type AlertSound,
  type LookPatch,
} from '@giftstream/shared';
import type { ComponentChildren } from 'preact';
import type { MediaFile } from './studio';

const INHERIT = '__inherit';
const LABELS: Record<string, string> = {
  auto: 'Tier default',
  top: 'Top',
  middle: 'Middle',
  bottom: 'Bottom',
  fade: 'Fade',
  slide: 'Slide',
  zoom: 'Zoom',
  bounce: 'Bounce',
  none: 'None',
  rounded: 'Rounded',
  serif: 'Serif',
  mono: 'Monospace',
  condensed: 'Condensed',
};

interface Props {
  /** The default look, or a variation's patch (every field may then say "same as the default"). */
  look: LookPatch;
  patch: boolean;
  media: readonly MediaFile[];
  onChange: (look: LookPatch) => void;
  label: string;
}

function Field({ name, children }: { name: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in (a select or an input).
    <label class="field">
      <span>{name}</span>
      {children}
    </label>
  );
}

/** Editing one look: every part of an alert a streamer can change, each a plain form control. */
export function LookEditor({ look, patch, media, onChange, label }: Props) {
  const set = <K extends keyof AlertLook>(key: K, value: AlertLook[K] | undefined) => {
    const next = { ...look };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next);
  };
  const pick = <K extends keyof AlertLook>(key: K, raw: string, parse: (s: string) => AlertLook[K]) =>
    set(key, raw === INHERIT ? undefined : parse(raw));
  const value = (key: keyof AlertLook, shown: string) => (look[key] === undefined ? INHERIT : shown);
  const inherit = patch && <option value={INHERIT}>Same as the default</option>;
  const images = media.filter((m) => m.kind === 'image');
  const choice = (key: 'font' | 'position' | 'enter' | 'exit', list: readonly string[]) => (
    <select
      aria-label={`${label}: ${key}`}
      value={value(key, String(look[key] ?? ''))}
      onChange={(e) => pick(key, e.currentTarget.value, (s) => s as never)}
    >
      {inherit}
      {list.map((o) => (
        <option key={o} value={o}>
          {LABELS[o] ?? o}
        </option>
      ))}
    </select>
  );
  return (
    <fieldset class="look" aria-label={label}>
      <Field name="Image">
        <select
          aria-label={`${label}: image`}
          value={value('image', look.image ?? '')}
          onChange={(e) => pick('image', e.currentTarget.value, (s) => s || null)}
        >
          {inherit}
          <option value="">The gift's own art</option>
          {images.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      <SoundField look={look} patch={patch} media={media} label={label} onSound={(s) => set('sound', s)} />
      <ColourField look={look} patch={patch} label={label} onColour={(c) => set('colour', c)} />
      <Field name="Font">{choice('font', FONTS)}</Field>
      <Field name="Position">{choice('position', POSITIONS)}</Field>
      <Field name="Size">
        <select
          aria-label={`${label}: size`}
          value={value('scale', String(look.scale))}
          onChange={(e) => pick('scale', e.currentTarget.value, Number)}
        >
          {inherit}
          {[50, 75, 100, 125, 150, 200].map((n) => (
            <option key={n} value={n}>
              {n}%
            </option>
          ))}
        </select>
      </Field>
      <Field name="On screen at least">
        <select
          aria-label={`${label}: duration`}
          value={value('durationMs', String(look.durationMs ?? ''))}
          onChange={(e) => pick('durationMs', e.currentTarget.value, (s) => (s ? Number(s) : null))}
        >
          {inherit}
          <option value="">Tier default</option>
          {[2, 3, 5, 8, 10, 15, 20, 30].map((s) => (
            <option key={s} value={s * 1000}>
              {s} s
            </option>
          ))}
        </select>
      </Field>
      <Field name="Entrance">{choice('enter', ENTER_ANIMATIONS)}</Field>
      <Field name="Exit">{choice('exit', EXIT_ANIMATIONS)}</Field>
    </fieldset>
  );
}

function SoundField(p: {
  look: LookPatch;
  patch: boolean;
  media: readonly MediaFile[];
  label: string;
  onSound: (s: AlertSound | undefined) => void;
}) {
  const s = p.look.sound;
  const current = s === undefined ? INHERIT : s.kind === 'file' ? s.media : s.kind;
  const sounds = p.media.filter((m) => m.kind === 'sound');
  return (
    <>
      <Field name="Sound">
        <select
          aria-label={`${p.label}: sound`}
          value={current}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === INHERIT) p.onSound(undefined);
            else if (v === 'none' || v === 'chime') p.onSound({ kind: v });
            else p.onSound({ kind: 'file', media: v, repeat: s?.kind === 'file' ? s.repeat : 'combo' });
          }}
        >
          {p.patch && <option value={INHERIT}>Same as the default</option>}
          <option value="none">Silent</option>
          <option value="chime">Chime (by tier)</option>
          {sounds.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      {s?.kind === 'file' && (
        <Field name="Play it">
          <select
            aria-label={`${p.label}: repeat`}
            value={s.repeat}
            onChange={(e) => p.onSound({ ...s, repeat: e.currentTarget.value as 'combo' | 'every' })}
          >
            <option value="combo">Once per combo</option>
            <option value="every">On every gift</option>
          </select>
        </Field>
      )}
    </>
  );
}

function ColourField(p: {
  look: LookPatch;
  patch: boolean;
  label: string;
  onColour: (c: string | null | undefined) => void;
}) {
  const c = p.look.colour;
  const mode = c === undefined ? INHERIT : c === null ? 'tier' : 'custom';
  return (
    <Field name="Colour">
      <span class="row">
        <select
          aria-label={`${p.label}: colour mode`}
          value={mode}
          onChange={(e) => {
            const v = e.currentTarget.value;
            p.onColour(v === INHERIT ? undefined : v === 'tier' ? null : (c ?? '#6d4aff'));
          }}
        >
          {p.patch && <option value={INHERIT}>Same as the default</option>}
          <option value="tier">Tier colour</option>
          <option value="custom">Custom</option>
        </select>
        {mode === 'custom' && (
          <input
            type="color"
            aria-label={`${p.label}: colour`}
            value={c ?? '#6d4aff'}
            onInput={(e) => p.onColour(e.currentTarget.value)}
          />
        )}
      </span>
    </Field>
  );
}

export { DEFAULT_LOOK };
