// A link to the terms (`/terms`) of the server in use: linked before anyone pays and from every receipt.
import { useEffect, useState } from 'preact/hooks';
import type { Ask } from '../lib/ask';
import { useAsk } from './ui';

/** One question per popup or page, however many receipts show the link. */
const servers = new WeakMap<Ask, Promise<string | null>>();
function serverOf(ask: Ask): Promise<string | null> {
  let known = servers.get(ask);
  if (!known) {
    known = ask({ type: 'settings.get' }).then((r) => (r.ok ? r.data.server : null));
    // A failed look is asked again next time.
    void known.then((s) => s === null && servers.delete(ask));
    servers.set(ask, known);
  }
  return known;
}

/** The server's terms page, in a new tab; nothing until the server's address is known. */
export function TermsLink({ children = 'terms' }: { children?: string }) {
  const ask = useAsk();
  const [server, setServer] = useState<string | null>(null);
  useEffect(() => {
    void serverOf(ask).then(setServer);
  }, []);
  if (!server) return null;
  return (
    <a class="terms-link" href={`${server}/terms`} target="_blank" rel="noreferrer">
      {children}
    </a>
  );
}
