/**
 * The worker's own small HTML pages for people (privacy, terms): one look, one CSP, and every configured
 * or stored value escaped, since an operator's name or a price label is text, not markup.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A contact that is an email address or a web address becomes a link; anything else stays text. */
export function contactHtml(contact: string): string {
  if (/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(contact))
    return `<a href="mailto:${escapeHtml(contact)}">${escapeHtml(contact)}</a>`;
  if (/^https:\/\/[^\s<>"]+$/.test(contact)) return `<a href="${escapeHtml(contact)}">${escapeHtml(contact)}</a>`;
  return escapeHtml(contact);
}

/** The operator as configured (OPERATOR_NAME / OPERATOR_CONTACT), with a plain fallback. */
export function operatorOf(env: { OPERATOR_NAME?: string; OPERATOR_CONTACT?: string }) {
  return {
    name: env.OPERATOR_NAME?.trim() || 'the operator of this Giftstream server',
    contact: env.OPERATOR_CONTACT?.trim() || '',
  };
}

/** A whole page around `body` (already HTML, its values escaped by the caller). */
export function pageHtml(title: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — Giftstream</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #212529; background: #f8f9fa; line-height: 1.5; }
  main { max-width: 760px; margin: 0 auto; padding: 24px 20px 48px; }
  h1 { font-size: 26px; margin: 0 0 4px; color: #5f3dc4; } h2 { font-size: 18px; margin: 16px 0 6px; }
  section { background: #fff; border-radius: 12px; padding: 4px 20px 12px; box-shadow: 0 1px 3px #0001; margin-top: 16px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; } th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #eee; }
  th { width: 32%; } code { background: #f1f3f5; padding: 0 4px; border-radius: 4px; } .muted { color: #666; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(subtitle)}</p>
${body}
</main>
</body>
</html>`;
}

/** A short notice (where a site's redirect or Stripe sends someone back): a title and paragraphs of plain text. */
export interface Notice {
  kind: 'ok' | 'bad';
  title: string;
  lines: string[];
  /** A receipt-like page links the terms. */
  terms?: boolean;
}

export function noticeHtml(p: Notice): string {
  const colour = p.kind === 'ok' ? '#0a7a3d' : '#b3261e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Giftstream · ${escapeHtml(p.title)}</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d1b2c; background: #f6f5fb; }
  main { max-width: 520px; margin: 12vh auto; background: #fff; border-radius: 14px; padding: 28px 32px; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 21px; margin: 0 0 12px; color: ${colour}; } p { line-height: 1.5; } .brand { color: #6d4aff; font-weight: 700; font-size: 14px; }
</style></head>
<body><main><div class="brand">Giftstream</div><h1>${escapeHtml(p.title)}</h1>${p.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}${p.terms ? '<p><a href="/terms">Terms: prices, refunds and closing an account</a></p>' : ''}</main></body></html>`;
}
