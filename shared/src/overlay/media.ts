/**
 * Uploaded images and sounds for the overlay: what a file is (from its bytes, never its name or the type
 * the browser claims), whether an SVG is safe to serve, and whether a creator has room for one more.
 * Pure, so the rules are tested without R2; the media route only reads the body and stores the result.
 */
export const MEDIA_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MEDIA_QUOTA_BYTES = 20 * 1024 * 1024;
export const MEDIA_MAX_FILES = 100;

export type MediaKind = 'image' | 'sound';

export interface MediaType {
  kind: MediaKind;
  contentType: string;
  /** The usual file extension, for names and downloads. */
  ext: string;
}

export const MEDIA_TYPES: readonly MediaType[] = [
  { kind: 'image', contentType: 'image/png', ext: 'png' },
  { kind: 'image', contentType: 'image/gif', ext: 'gif' },
  { kind: 'image', contentType: 'image/webp', ext: 'webp' },
  { kind: 'image', contentType: 'image/svg+xml', ext: 'svg' },
  { kind: 'sound', contentType: 'audio/mpeg', ext: 'mp3' },
  { kind: 'sound', contentType: 'audio/ogg', ext: 'ogg' },
  { kind: 'sound', contentType: 'audio/wav', ext: 'wav' },
];

const byType = (t: string) => MEDIA_TYPES.find((m) => m.contentType === t)!;

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Whether the bytes begin like an MP3: an ID3 tag, or an MPEG audio frame header (layer III). */
function isMp3(b: Uint8Array): boolean {
  if (startsWith(b, ascii('ID3'))) return true;
  // 11 sync bits, a known MPEG version, layer III, a bitrate index that is neither free nor bad.
  if (b.length < 4 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return false;
  const version = (b[1]! >> 3) & 3;
  const layer = (b[1]! >> 1) & 3;
  const bitrate = b[2]! >> 4;
  return version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15;
}

/** The type of a file from its first bytes, or null when it is none of the types the overlay plays. */
export function sniffMedia(bytes: Uint8Array): MediaType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return byType('image/png');
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return byType('image/gif');
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return byType('image/webp');
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WAVE'), 8)) return byType('audio/wav');
  if (startsWith(bytes, ascii('OggS'))) return byType('audio/ogg');
  if (isMp3(bytes)) return byType('audio/mpeg');
  if (looksLikeSvg(bytes)) return byType('image/svg+xml');
  return null;
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '');
  // An XML declaration, comments or a doctype may come first; the first element must be <svg.
  const rest = head.replace(/^(\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i, '');
  return /^<svg[\s>/]/i.test(rest);
}

/** What a browser's declared type may be called for the same file (aliases browsers and OSes send). */
const ALIASES: Record<string, string> = {
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-ogg': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'image/svg': 'image/svg+xml',
};

/** The declared type names another type than the bytes are (octet-stream and no type at all claim nothing). */
export function mislabelled(declared: string | null | undefined, actual: MediaType): boolean {
  const t = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (!t || t === 'application/octet-stream') return false;
  return (ALIASES[t] ?? t) !== actual.contentType;
}

// ---- SVG ----

/** Elements an overlay image may have: shapes, text, paint servers. No script, no foreign content, no links out. */
const SVG_ELEMENTS = new Set(
  [
    'svg',
    'g',
    'defs',
    'symbol',
    'use',
    'title',
    'desc',
    'path',
    'rect',
    'circle',
    'ellipse',
    'line',
    'polyline',
    'polygon',
    'text',
    'tspan',
    'textPath',
    'linearGradient',
    'radialGradient',
    'stop',
    'clipPath',
    'mask',
    'pattern',
    'filter',
    'feGaussianBlur',
    'feOffset',
    'feBlend',
    'feColorMatrix',
    'feComposite',
    'feFlood',
    'feMerge',
    'feMergeNode',
    'feDropShadow',
    'animate',
    'animateTransform',
  ].map((e) => e.toLowerCase()),
);
/** Stripped with their content: they carry nothing an overlay shows. */
const DROPPED = new Set(['metadata']);

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=/>"'<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;
const ATTR = /([^\s=/>"'<]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export type SvgResult = { ok: true; svg: string } | { ok: false; reason: string };

/** Character references decoded the way an XML parser would, so `jav&#x61;script:` is seen as what it is. */
function decodeRefs(value: string): string {
  return value.replace(/&#(x[0-9a-f]+|\d+);?/gi, (_, n: string) =>
    String.fromCodePoint(
      Math.min(0x10ffff, n[0] === 'x' || n[0] === 'X' ? Number.parseInt(n.slice(1), 16) : Number(n)),
    ),
  );
}

function attributeProblem(element: string, name: string, value: string): string | null {
  const n = name.toLowerCase();
  if (n.startsWith('on')) return `an event handler (${name})`;
  const v = decodeRefs(value).replace(/\s/g, '').toLowerCase();
  if (n === 'href' || n === 'xlink:href') {
    if (!value.startsWith('#')) return `a link out of the file (<${element} ${name}>)`;
  }
  if (/javascript:|vbscript:|data:|url\((?!['"]?#)|@import|expression\(/.test(v))
    return `a reference out of the file (${name})`;
  if ((element === 'animate' || element === 'animatetransform') && (n === 'attributename' || n === 'to'))
    if (/href|^on/.test(v)) return 'an animation of a link or handler';
  return null;
}

/**
 * An SVG as a stored file: comments, processing instructions and metadata removed; refused with the reason
 * when it has anything outside shapes, text and paint (scripts, styles, foreign objects, event handlers,
 * links, entities). The media route also serves every file with a CSP that runs nothing, as a second wall.
 */
export function sanitizeSvg(source: string): SvgResult {
  const text = source.replace(/^\uFEFF/, '');
  let out = '';
  let i = 0;
  let dropping = 0;
  const open: string[] = [];
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
    if (!dropping) out += chunk;
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return { ok: false, reason: 'an unclosed comment' };
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) return { ok: false, reason: 'an unclosed processing instruction' };
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!', i)) return { ok: false, reason: 'a DOCTYPE, entity or CDATA section' };
    TAG.lastIndex = i;
    const m = TAG.exec(text);
    if (!m) return { ok: false, reason: 'markup that is not a plain tag' };
    const [whole, closing, rawName, attrs, selfClosing] = m as unknown as [string, string, string, string, string];
    const name = rawName.toLowerCase();
    i += whole.length;
    if (DROPPED.has(name)) {
      if (!selfClosing) dropping += closing ? -1 : 1;
      continue;
    }
    if (dropping) continue;
    if (!SVG_ELEMENTS.has(name)) return { ok: false, reason: `a <${rawName}> element` };
    if (closing) {
      if (open.pop() !== name) return { ok: false, reason: 'tags that do not nest' };
    } else {
      for (const a of attrs.matchAll(ATTR)) {
        const problem = attributeProblem(name, a[1]!, a[2] ?? a[3] ?? a[4] ?? '');
        if (problem) return { ok: false, reason: problem };
      }
      if (!selfClosing) open.push(name);
    }
    out += whole;
  }
  if (dropping || open.length) return { ok: false, reason: 'unclosed tags' };
  if (!/^\s*<svg[\s>/]/i.test(out)) return { ok: false, reason: 'no <svg> root element' };
  return { ok: true, svg: out.trim() };
}

// ---- quota ----

export interface MediaUsage {
  bytes: number;
  files: number;
}

export type UploadVerdict =
  | { ok: true; type: MediaType; bytes: Uint8Array }
  | {
      ok: false;
      status: 400 | 413 | 415;
      code: 'invalid_request' | 'payload_too_large' | 'unsupported_media';
      message: string;
    };

/**
 * Whether an upload may be stored, and the bytes to store (a sanitised SVG is smaller than what came in).
 * The quota is checked here for a clear answer and again by the store in the statement that records the
 * file, so two uploads at once cannot both squeeze under it.
 */
export function checkUpload(
  body: Uint8Array,
  declared: string | null | undefined,
  usage: MediaUsage,
  quotaBytes: number,
): UploadVerdict {
  if (body.length === 0) return { ok: false, status: 400, code: 'invalid_request', message: 'The file is empty.' };
  if (body.length > MEDIA_MAX_BYTES)
    return { ok: false, status: 413, code: 'payload_too_large', message: 'Files are limited to 2 MB.' };
  const type = sniffMedia(body);
  if (!type)
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media',
      message: 'Upload a PNG, GIF, WebP or SVG image, or an MP3, OGG or WAV sound.',
    };
  if (mislabelled(declared, type))
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media',
      message: `The file says it is ${declared} but its bytes are ${type.contentType}.`,
    };
  let bytes = body;
  if (type.contentType === 'image/svg+xml') {
    const svg = sanitizeSvg(new TextDecoder().decode(body));
    if (!svg.ok)
      return {
        ok: false,
        status: 415,
        code: 'unsupported_media',
        message: `This SVG is refused: it has ${svg.reason}.`,
      };
    bytes = new TextEncoder().encode(svg.svg);
  }
  const room = quotaProblem(usage, bytes.length, quotaBytes);
  if (room) return { ok: false, status: 413, code: 'payload_too_large', message: room };
  return { ok: true, type, bytes };
}

/** Why one more file of `size` bytes does not fit, or null when it does. */
export function quotaProblem(usage: MediaUsage, size: number, quotaBytes: number): string | null {
  if (usage.files + 1 > MEDIA_MAX_FILES) return `You have ${MEDIA_MAX_FILES} files already; delete one first.`;
  if (usage.bytes + size > quotaBytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return `This file needs ${mb(size)} but only ${mb(Math.max(0, quotaBytes - usage.bytes))} of your ${mb(quotaBytes)} are free; delete a file first.`;
  }
  return null;
}
