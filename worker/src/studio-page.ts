/**
 * Headers for the two Preact pages the worker serves from its static assets: the overlay (in OBS) and the
 * studio (where a creator styles it). Like the operator page's: scripts and styles only from this origin,
 * calls and the room's WebSocket only to it, images and sounds only from its own media route.
 */
const BASE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self'; base-uri 'none'; form-action 'none'";

export const OVERLAY_CSP = `${BASE_CSP}; frame-ancestors 'self'`;
export const STUDIO_CSP = `${BASE_CSP}; frame-ancestors 'none'`;

/** The asset with its page's CSP, or as it is for anything else. */
export async function withPageHeaders(path: string, asset: Response): Promise<Response> {
  const csp = path.startsWith('/studio') ? STUDIO_CSP : path.startsWith('/overlay') ? OVERLAY_CSP : null;
  if (!csp) return asset;
  const res = new Response(asset.body, asset);
  res.headers.set('content-security-policy', csp);
  res.headers.set('x-content-type-options', 'nosniff');
  res.headers.set('referrer-policy', 'no-referrer');
  if (csp === STUDIO_CSP) res.headers.set('x-frame-options', 'DENY');
  return res;
}
