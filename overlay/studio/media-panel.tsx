import { useState } from 'preact/hooks';
import { call } from './api';
import type { MediaFile, MediaList } from './studio';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Uploads, the quota, and deleting (a file a look uses is deleted only after the creator confirms). */
export function MediaPanel({
  media,
  onChanged,
}: {
  media: MediaList | null;
  onChanged: (revision?: number) => Promise<void>;
}) {
  const [note, setNote] = useState<{ kind: 'ok' | 'bad'; text: string } | null>(null);
  const [confirm, setConfirm] = useState<{ file: MediaFile; uses: string[] } | null>(null);
  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    const r = await call<{ file: MediaFile }>(
      'POST',
      `/v1/creator/media?name=${encodeURIComponent(file.name.slice(0, 80))}`,
      file,
      {
        'content-type': file.type || 'application/octet-stream',
      },
    );
    input.value = '';
    setNote(r.ok ? { kind: 'ok', text: `${r.data.file.name} uploaded.` } : { kind: 'bad', text: r.error.message });
    if (r.ok) await onChanged();
  };
  const remove = async (file: MediaFile, confirmed: boolean) => {
    const r = await call<{ revision: number }>(
      'DELETE',
      `/v1/creator/media/${file.id}${confirmed ? '?confirm=1' : ''}`,
    );
    if (!r.ok && r.error.status === 409 && r.error.uses) {
      setConfirm({ file, uses: r.error.uses.map((u) => u.name) });
      return;
    }
    setConfirm(null);
    setNote(r.ok ? { kind: 'ok', text: `${file.name} deleted.` } : { kind: 'bad', text: r.error.message });
    if (r.ok) await onChanged(confirmed ? r.data.revision : undefined);
  };
  return (
    <section>
      <h2>Your files</h2>
      <p class="muted">
        Images: PNG, GIF, WebP, SVG. Sounds: MP3, OGG, WAV. Up to {mb(media?.quota.fileBytes ?? 2 * 1024 * 1024)} each
        {media && `; ${mb(media.usage.bytes)} of ${mb(media.quota.bytes)} used`}.
      </p>
      <label class="upload">
        Upload a file{' '}
        <input
          type="file"
          accept="image/png,image/gif,image/webp,image/svg+xml,audio/mpeg,audio/ogg,audio/wav"
          onChange={(e) => void upload(e.currentTarget)}
        />
      </label>
      {note && (
        <p class={note.kind} role={note.kind === 'bad' ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
      {confirm && (
        <div class="note warn" role="alertdialog" aria-label="Confirm deleting a file in use">
          <p>
            <b>{confirm.file.name}</b> is used by {confirm.uses.join(', ')}. Delete it anyway? Those looks go back to
            the gift's own art and the chime, and open overlays change at once.
          </p>
          <button type="button" onClick={() => void remove(confirm.file, true)}>
            Delete it
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setConfirm(null)}>
            Keep it
          </button>
        </div>
      )}
      <ul class="files">
        {(media?.files ?? []).map((f) => (
          <li key={f.id}>
            {f.kind === 'image' ? <img src={f.url} alt="" /> : <span class="sound-icon">♪</span>}
            <span class="grow">
              {f.name}
              <span class="muted">
                {' '}
                · {mb(f.bytes)}
                {f.usedBy.length ? ` · used by ${f.usedBy.map((u) => u.name).join(', ')}` : ''}
              </span>
            </span>
            {f.kind === 'sound' && (
              <button type="button" class="secondary" onClick={() => void new Audio(f.url).play().catch(() => {})}>
                Play
              </button>
            )}
            <button type="button" class="secondary" onClick={() => void remove(f, false)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
