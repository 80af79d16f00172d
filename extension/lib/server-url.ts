// Server addresses as the user types them, and the host permission each one needs.
import { hostPattern, LOCAL_SERVER } from '../build-config';

/**
 * The server this build was made for (`GIFTSTREAM_SERVER` at build time, which wxt.config.ts defines);
 * the local one in unit tests, which do not go through that config.
 */
export const DEFAULT_SERVER: string = import.meta.env.GIFTSTREAM_SERVER ?? LOCAL_SERVER;

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

/** The host permission pattern that lets the background talk to `server`. */
export const originPattern = hostPattern;
