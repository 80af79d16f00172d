// Renders the PNGs the manifest and the stores ask for from assets/icon.svg, with the Chromium the e2e tests
// use. Run after changing the SVG and commit the PNGs: builds and CI read the committed files and need no
// image tool. Usage: node extension/scripts/icons.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(DIR, 'assets', 'icon.svg'), 'utf8');
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

// Manifest sizes (toolbar 16/32, extensions page 48, Firefox's 96, install dialog 128); WXT lists public/icon/<n>.png.
const MANIFEST_SIZES = [16, 32, 48, 96, 128];

/** A page that draws the icon at `art` pixels inside a `width`×`height` canvas, on `background` (transparent if none). */
function page(width, height, art, background = 'transparent', caption = '') {
  return `<!doctype html><html><body style="margin:0;width:${width}px;height:${height}px;background:${background};display:flex;align-items:center;justify-content:center;gap:24px;font:700 40px system-ui,sans-serif;color:#fff">
<img src="${dataUrl}" width="${art}" height="${art}">${caption ? `<span>${caption}</span>` : ''}</body></html>`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  async function render(file, width, height, html) {
    const p = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await p.setContent(html);
    await p.waitForFunction(() => [...document.images].every((i) => i.complete));
    await p.screenshot({ path: join(DIR, file), omitBackground: true });
    await p.close();
    console.log(file);
  }
  for (const size of MANIFEST_SIZES) await render(`public/icon/${size}.png`, size, size, page(size, size, size));
  // Chrome Web Store: a 128×128 icon whose art is 96×96 with 16 px of transparent padding.
  await render('store/icon-128.png', 128, 128, page(128, 128, 96));
  // Chrome Web Store's small promo tile (440×280).
  await render(
    'store/promo-440x280.png',
    440,
    280,
    page(440, 280, 120, '#7048e8', process.env.GIFTSTREAM_NAME ?? 'Giftstream'),
  );
} finally {
  await browser.close();
}
