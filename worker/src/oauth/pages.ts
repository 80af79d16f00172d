/**
 * The small pages a site's redirect lands on. They carry no script and load nothing; every piece of text is
 * escaped, since channel names come from the site and handles from users. No referrer leaves them: the URL
 * holds the one-time code.
 */
export const OAUTH_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const OAUTH_PAGE_HEADERS = {
  'content-security-policy': OAUTH_PAGE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export interface Page {
  kind: 'ok' | 'bad';
  title: string;
  /** Paragraphs of plain text. */
  lines: string[];
}

export function renderPage(p: Page): string {
  const colour = p.kind === 'ok' ? '#0a7a3d' : '#b3261e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Giftstream · ${escape(p.title)}</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d1b2c; background: #f6f5fb; }
  main { max-width: 520px; margin: 12vh auto; background: #fff; border-radius: 14px; padding: 28px 32px; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 21px; margin: 0 0 12px; color: ${colour}; } p { line-height: 1.5; } .brand { color: #6d4aff; font-weight: 700; font-size: 14px; }
</style></head>
<body><main><div class="brand">Giftstream</div><h1>${escape(p.title)}</h1>${p.lines.map((l) => `<p>${escape(l)}</p>`).join('')}</main></body></html>`;
}
