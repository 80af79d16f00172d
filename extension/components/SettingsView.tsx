// The server this extension talks to (any deployment; the browser asks the user for access at runtime).
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { normalizeServer, originPattern } from '../lib/server-url';
import type { ReplyError } from '../lib/replies';
import { ErrorNote, Note, useAsk } from './ui';

/** Asks the browser for access to `server` (must run inside the click that asked for it). */
export async function requestServerAccess(server: string): Promise<boolean> {
  const origins = [originPattern(server)];
  if (await browser.permissions.contains({ origins })) return true;
  return browser.permissions.request({ origins });
}

export function SettingsView({
  signedIn,
  onServerChanged,
  onSignOut,
  requestAccess = requestServerAccess,
}: {
  signedIn: boolean;
  onServerChanged(): void;
  onSignOut(): void;
  requestAccess?: (server: string) => Promise<boolean>;
}) {
  const ask = useAsk();
  const [server, setServer] = useState('');
  // The server in use, as saved: its privacy page is the one that applies, not that of an address being typed.
  const [current, setCurrent] = useState('');
  const [fallback, setFallback] = useState('');
  const [error, setError] = useState<ReplyError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void ask({ type: 'settings.get' }).then((r) => {
      if (r.ok) {
        setServer(r.data.server);
        setCurrent(r.data.server);
        setFallback(r.data.defaultServer);
      }
    });
  }, []);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const origin = normalizeServer(server);
    if (!origin)
      return setError({
        code: 'invalid_request',
        message: 'Enter a server address starting with https:// or http://.',
      });
    if (!(await requestAccess(origin))) return setError({ code: 'permission_denied', message: '' });
    const r = await ask({ type: 'settings.setServer', url: origin });
    if (!r.ok) return setError(r.error);
    setServer(r.data.server);
    setCurrent(r.data.server);
    setSaved(true);
    onServerChanged();
  }

  return (
    <section class="settings">
      <form onSubmit={save}>
        <label>
          Server
          <input
            name="server"
            type="url"
            value={server}
            placeholder={fallback}
            onInput={(e) => setServer(e.currentTarget.value)}
            required
          />
        </label>
        <p class="muted">The Giftstream deployment to use. Changing it signs you out here.</p>
        <button class="primary" type="submit">
          Save server
        </button>
      </form>
      {saved && <Note kind="ok">Saved.</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />
      {current && (
        <p class="muted">
          <a href={`${current}/privacy`} target="_blank" rel="noreferrer">
            Privacy policy
          </a>{' '}
          of {new URL(current).host}: what the extension sends it and what it keeps.
        </p>
      )}
      {signedIn && (
        <button type="button" name="signOut" onClick={onSignOut}>
          Sign out
        </button>
      )}
    </section>
  );
}
