import {
  DEFAULT_OVERLAY_CONFIG,
  GIFTS,
  MAX_VARIATIONS,
  OVERLAY_WIDGETS,
  type LookPatch,
  type OverlaySettings,
  type Variation,
} from '@giftstream/shared';
import { useEffect, useState } from 'preact/hooks';
import { call } from './api';
import { LookEditor } from './look-editor';
import { MediaPanel } from './media-panel';
import { Preview } from './preview';
import { TtsPanel } from './tts-panel';

export interface MediaFile {
  id: string;
  kind: 'image' | 'sound';
  contentType: string;
  bytes: number;
  name: string;
  url: string;
  usedBy: { variation: string | null; name: string }[];
}
export interface MediaList {
  files: MediaFile[];
  usage: { bytes: number; files: number };
  quota: { bytes: number; files: number; fileBytes: number };
}

type Status = { kind: 'ok' | 'bad' | 'busy'; text: string } | null;

/** The creator's config, the draft being edited, their files, and saving. */
function useStudio(onSignedOut: (note: string) => void) {
  const [handle, setHandle] = useState<string | null>(null);
  const [draft, setDraft] = useState<OverlaySettings | null>(null);
  const [revision, setRevision] = useState(0);
  const [media, setMedia] = useState<MediaList | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [dirty, setDirty] = useState(false);
  const loadMedia = async () => {
    const m = await call<MediaList>('GET', '/v1/creator/media');
    if (m.ok) setMedia(m.data);
  };
  useEffect(() => {
    void (async () => {
      const me = await call<{ creator: { handle: string } | null }>('GET', '/v1/me');
      if (!me.ok)
        return onSignedOut(me.error.status === 401 ? 'Your studio session ended; open it again.' : me.error.message);
      if (!me.data.creator)
        return onSignedOut('The studio is for creators: become one from the Giftstream popup first.');
      setHandle(me.data.creator.handle);
      const c = await call<{ revision: number; config: OverlaySettings }>('GET', '/v1/creator/overlay-config');
      if (c.ok) {
        setDraft(c.data.config);
        setRevision(c.data.revision);
      }
      await loadMedia();
    })();
  }, []);
  const edit = (next: OverlaySettings) => {
    setDraft(next);
    setDirty(true);
  };
  const save = async () => {
    if (!draft) return;
    setStatus({ kind: 'busy', text: 'Saving…' });
    const r = await call<{ revision: number; config: OverlaySettings }>('PUT', '/v1/creator/overlay-config', draft);
    if (!r.ok) return setStatus({ kind: 'bad', text: r.error.message });
    setRevision(r.data.revision);
    setDirty(false);
    setStatus({ kind: 'ok', text: 'Saved. Open overlays show it now.' });
    await loadMedia();
  };
  return { handle, draft, revision, media, status, dirty, edit, save, loadMedia, setStatus, setDraft };
}

export function Studio({ onSignedOut }: { onSignedOut: (note: string) => void }) {
  const s = useStudio(onSignedOut);
  const { draft, media } = s;
  if (!draft || !s.handle) return <p class="studio-center">Loading your overlay…</p>;
  const files = media?.files ?? [];
  return (
    <div class="studio">
      <header class="studio-head">
        <h1>Overlay studio</h1>
        <span class="muted">
          @{s.handle} · saved revision {s.revision}
        </span>
        <span class={`status ${s.status?.kind ?? ''}`} role="status">
          {s.status?.text ?? (s.dirty ? 'Unsaved changes' : '')}
        </span>
        <button type="button" class="secondary" onClick={() => s.edit(DEFAULT_OVERLAY_CONFIG)}>
          Reset to default
        </button>
        <button type="button" onClick={() => void s.save()} disabled={s.status?.kind === 'busy'}>
          Save
        </button>
      </header>
      <div class="studio-grid">
        <aside class="editor">
          <OverlayPanel draft={draft} edit={s.edit} />
          <section>
            <h2>Default look</h2>
            <p class="muted">Every alert, unless a variation below matches.</p>
            <LookEditor
              label="Default look"
              look={draft.alerts.default}
              patch={false}
              media={files}
              onChange={(look) =>
                s.edit({ ...draft, alerts: { ...draft.alerts, default: { ...draft.alerts.default, ...look } } })
              }
            />
          </section>
          <Variations draft={draft} edit={s.edit} files={files} />
          <TtsPanel tts={draft.tts} onChange={(tts) => s.edit({ ...draft, tts })} />
          <MediaPanel
            media={media}
            onChanged={async (revision) => {
              await s.loadMedia();
              if (revision !== undefined) {
                const c = await call<{ revision: number; config: OverlaySettings }>(
                  'GET',
                  '/v1/creator/overlay-config',
                );
                if (c.ok) s.setDraft(c.data.config);
              }
            }}
          />
        </aside>
        <Preview config={draft} />
      </div>
    </div>
  );
}

function OverlayPanel({ draft, edit }: { draft: OverlaySettings; edit: (c: OverlaySettings) => void }) {
  const toggle = (w: (typeof OVERLAY_WIDGETS)[number], on: boolean) => {
    const next = OVERLAY_WIDGETS.filter((x) => (x === w ? on : draft.widgets.includes(x)));
    if (next.length) edit({ ...draft, widgets: next });
  };
  return (
    <section>
      <h2>Overlay</h2>
      <div class="row wrap">
        {OVERLAY_WIDGETS.map((w) => (
          <label key={w} class="check">
            <input
              type="checkbox"
              checked={draft.widgets.includes(w)}
              onChange={(e) => toggle(w, e.currentTarget.checked)}
            />{' '}
            {w === 'alerts' ? 'Alerts' : w === 'goal' ? 'Goal' : 'Leaderboard'}
          </label>
        ))}
      </div>
      <label class="field">
        <span>Alerts from</span>
        <span class="row">
          <input
            type="number"
            min={1}
            max={1000000}
            value={draft.minCoins}
            aria-label="Alerts from (coins)"
            onChange={(e) => edit({ ...draft, minCoins: Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)) })}
          />{' '}
          coins
        </span>
      </label>
      <label class="field">
        <span>Cards</span>
        <select
          value={draft.theme}
          onChange={(e) => edit({ ...draft, theme: e.currentTarget.value as 'default' | 'minimal' })}
        >
          <option value="default">With backgrounds</option>
          <option value="minimal">Text only (minimal)</option>
        </select>
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.sounds}
          onChange={(e) => edit({ ...draft, sounds: e.currentTarget.checked })}
        />{' '}
        Play sounds (chimes and your uploads)
      </label>
    </section>
  );
}

function Variations({
  draft,
  edit,
  files,
}: {
  draft: OverlaySettings;
  edit: (c: OverlaySettings) => void;
  files: MediaFile[];
}) {
  const list = draft.alerts.variations;
  const setList = (variations: Variation[]) => edit({ ...draft, alerts: { ...draft.alerts, variations } });
  const add = (when: Variation['when'], name: string) =>
    setList([...list, { id: `v${Date.now().toString(36)}`, name, when, look: {} }]);
  const move = (i: number, by: number) => {
    const next = [...list];
    const [v] = next.splice(i, 1);
    next.splice(i + by, 0, v!);
    setList(next);
  };
  const change = (i: number, v: Variation) => setList(list.map((x, j) => (j === i ? v : x)));
  return (
    <section>
      <h2>Variations</h2>
      <p class="muted">The first variation that matches a gift wins; the rest of the look comes from the default.</p>
      {list.map((v, i) => (
        <details key={v.id} class="variation" open>
          <summary>
            {i + 1}. {v.name}
          </summary>
          <div class="row wrap">
            <input
              aria-label={`Variation ${i + 1} name`}
              value={v.name}
              maxLength={60}
              onInput={(e) => change(i, { ...v, name: e.currentTarget.value })}
            />
            <When v={v} onChange={(when) => change(i, { ...v, when })} index={i} />
            <button type="button" class="secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label="Move up">
              ↑
            </button>
            <button
              type="button"
              class="secondary"
              disabled={i === list.length - 1}
              onClick={() => move(i, 1)}
              aria-label="Move down"
            >
              ↓
            </button>
            <button type="button" class="secondary" onClick={() => setList(list.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
          <LookEditor
            label={v.name}
            look={v.look}
            patch
            media={files}
            onChange={(look: LookPatch) => change(i, { ...v, look })}
          />
        </details>
      ))}
      <div class="row">
        <button
          type="button"
          class="secondary"
          disabled={list.length >= MAX_VARIATIONS}
          onClick={() => add({ minCoins: 1000 }, 'Gifts of 1,000 coins and up')}
        >
          + By minimum coins
        </button>
        <button
          type="button"
          class="secondary"
          disabled={list.length >= MAX_VARIATIONS}
          onClick={() => add({ giftId: 'rose' }, 'Roses')}
        >
          + For one gift
        </button>
      </div>
    </section>
  );
}

function When({ v, onChange, index }: { v: Variation; onChange: (w: Variation['when']) => void; index: number }) {
  if ('giftId' in v.when)
    return (
      <select
        aria-label={`Variation ${index + 1} gift`}
        value={v.when.giftId}
        onChange={(e) => onChange({ giftId: e.currentTarget.value })}
      >
        {GIFTS.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name} ({g.coins.toLocaleString('en-US')} coins)
          </option>
        ))}
      </select>
    );
  return (
    <label class="row">
      gifts of at least{' '}
      <input
        type="number"
        min={1}
        aria-label={`Variation ${index + 1} minimum coins`}
        value={v.when.minCoins}
        onChange={(e) => onChange({ minCoins: Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)) })}
      />{' '}
      coins
    </label>
  );
}
