// Server addresses as the user types them, and the host permission each one needs.
export const DEFAULT_SERVER = 'http://localhost:8787';

/** A server URL the user typed, as an origin (`https://giftstream.example`), or null if it is not one. */
export function normalizeServer(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return url.origin;
}

/** The host permission pattern that lets the background talk to `server` (patterns match any port). */
export function originPattern(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.hostname}/*`;
}
