import { describe, expect, it } from 'vitest';
import { checkUpload, MEDIA_MAX_BYTES, MEDIA_MAX_FILES, mislabelled, sanitizeSvg, sniffMedia } from './media';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

export const SAMPLES = {
  png: bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], 'IHDR'),
  gif: bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0]),
  webp: bytes('RIFF', [30, 0, 0, 0], 'WEBPVP8 '),
  wav: bytes('RIFF', [36, 0, 0, 0], 'WAVEfmt '),
  ogg: bytes('OggS', [0, 2, 0, 0]),
  mp3id3: bytes('ID3', [4, 0, 0, 0, 0, 0, 0]),
  mp3frame: bytes([0xff, 0xfb, 0x90, 0x64, 0, 0]),
  svg: bytes(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>',
  ),
};

describe('sniffing a file from its bytes', () => {
  it.each([
    ['png', 'image/png'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
    ['wav', 'audio/wav'],
    ['ogg', 'audio/ogg'],
    ['mp3id3', 'audio/mpeg'],
    ['mp3frame', 'audio/mpeg'],
    ['svg', 'image/svg+xml'],
  ] as const)('%s is %s', (name, type) => {
    expect(sniffMedia(SAMPLES[name])?.contentType).toBe(type);
  });

  it('refuses what the overlay does not play, whatever it is called', () => {
    expect(sniffMedia(bytes('<html><script>alert(1)</script>'))).toBeNull();
    expect(sniffMedia(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBeNull(); // JPEG: not in the list
    expect(sniffMedia(bytes('%PDF-1.7'))).toBeNull();
    expect(sniffMedia(new Uint8Array())).toBeNull();
  });

  it('a declared type must agree with the bytes (aliases and octet-stream allowed)', () => {
    const png = sniffMedia(SAMPLES.png)!;
    const mp3 = sniffMedia(SAMPLES.mp3id3)!;
    expect(mislabelled('image/png', png)).toBe(false);
    expect(mislabelled('application/octet-stream', png)).toBe(false);
    expect(mislabelled(null, png)).toBe(false);
    expect(mislabelled('audio/mp3', mp3)).toBe(false);
    expect(mislabelled('image/gif', png)).toBe(true);
    expect(mislabelled('text/html', png)).toBe(true);
  });
});

describe('SVG', () => {
  it('keeps shapes, gradients and text; drops comments, XML declarations and metadata', () => {
    const r = sanitizeSvg(
      '<?xml version="1.0"?><!-- made by hand --><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><metadata><rdf:RDF>x</rdf:RDF></metadata><defs><linearGradient id="g"><stop offset="0" stop-color="#f0f"/></linearGradient></defs><rect fill="url(#g)" width="10" height="10"/><use xlink:href="#g"/><text x="1">Hi &amp; bye</text></svg>',
    );
    expect(r).toEqual({
      ok: true,
      svg: '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><linearGradient id="g"><stop offset="0" stop-color="#f0f"/></linearGradient></defs><rect fill="url(#g)" width="10" height="10"/><use xlink:href="#g"/><text x="1">Hi &amp; bye</text></svg>',
    });
  });

  it.each([
    ['a script', '<svg><script>alert(1)</script></svg>'],
    ['an event handler', '<svg onload="alert(1)"><rect/></svg>'],
    ['an event handler in odd case', '<svg><rect OnClick="x()"/></svg>'],
    ['foreign HTML', '<svg><foreignObject><iframe src="x"/></foreignObject></svg>'],
    ['a link out', '<svg><a href="https://evil.example"><rect/></a></svg>'],
    ['a use of another file', '<svg><use href="https://evil.example/s.svg#x"/></svg>'],
    ['a javascript: URL', '<svg><use xlink:href="javascript:alert(1)"/></svg>'],
    ['an entity-encoded javascript: URL', '<svg><rect fill="jav&#x61;script:alert(1)"/></svg>'],
    ['an external image', '<svg><image href="https://tracker.example/p.png"/></svg>'],
    ['a style sheet', '<svg><style>@import url(https://evil.example/x.css)</style></svg>'],
    ['a url() to another site', '<svg><rect fill="url(https://evil.example/p)"/></svg>'],
    ['entities (billion laughs)', '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>'],
    ['CDATA', '<svg><![CDATA[x]]></svg>'],
    ['a set of an href', '<svg><set attributeName="href" to="javascript:x"/></svg>'],
    ['tags that do not nest', '<svg><g></svg></g>'],
    ['an unclosed root', '<svg><rect/>'],
    ['no svg root', '<g><rect/></g>'],
  ])('refuses %s', (_, svg) => {
    expect(sanitizeSvg(svg).ok).toBe(false);
  });
});

describe('an upload', () => {
  const free = { bytes: 0, files: 0 };
  const QUOTA = 5 * 1024 * 1024;

  it('is stored with the type its bytes have', () => {
    const r = checkUpload(SAMPLES.png, 'image/png', free, QUOTA);
    expect(r).toMatchObject({ ok: true, type: { kind: 'image', contentType: 'image/png' } });
  });

  it('over 2 MB, empty, unknown, mislabelled or an unsafe SVG: refused with a clear status', () => {
    const big = new Uint8Array(MEDIA_MAX_BYTES + 1);
    big.set(SAMPLES.png);
    expect(checkUpload(big, 'image/png', free, QUOTA)).toMatchObject({ ok: false, status: 413 });
    expect(checkUpload(new Uint8Array(), 'image/png', free, QUOTA)).toMatchObject({ ok: false, status: 400 });
    expect(checkUpload(bytes('hello'), 'image/png', free, QUOTA)).toMatchObject({ ok: false, status: 415 });
    expect(checkUpload(SAMPLES.gif, 'image/png', free, QUOTA)).toMatchObject({
      ok: false,
      status: 415,
      message: 'The file says it is image/png but its bytes are image/gif.',
    });
    expect(checkUpload(bytes('<svg onload="x()"/>'), 'image/svg+xml', free, QUOTA)).toMatchObject({
      ok: false,
      status: 415,
      message: 'This SVG is refused: it has an event handler (onload).',
    });
  });

  it('stores a sanitised SVG, not the bytes that came in', () => {
    const r = checkUpload(bytes('<!-- hi --><svg><rect/></svg>'), 'image/svg+xml', free, QUOTA);
    expect(r.ok && new TextDecoder().decode(r.bytes)).toBe('<svg><rect/></svg>');
  });

  it('must fit the quota in bytes and in files', () => {
    const almost = { bytes: QUOTA - 10, files: 3 };
    expect(checkUpload(SAMPLES.png, 'image/png', almost, QUOTA)).toMatchObject({ ok: false, status: 413 });
    expect(checkUpload(SAMPLES.gif, 'image/gif', { bytes: QUOTA - SAMPLES.gif.length, files: 3 }, QUOTA).ok).toBe(true);
    expect(checkUpload(SAMPLES.gif, 'image/gif', { bytes: 0, files: MEDIA_MAX_FILES }, QUOTA)).toMatchObject({
      ok: false,
      status: 413,
    });
  });
});
