import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The PNGs are committed (made from assets/icon.svg by scripts/icons.mjs) so builds need no image tool;
// this keeps each one the size its name promises, as the manifest and the stores read them.
const ROOT = join(__dirname, '..');

function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(join(ROOT, file));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('icons', () => {
  it.each([16, 32, 48, 96, 128])('public/icon/%i.png is %i pixels square', (size) => {
    expect(pngSize(`public/icon/${size}.png`)).toEqual({ width: size, height: size });
  });

  it('the store assets have the sizes the Chrome Web Store asks for', () => {
    expect(pngSize('store/icon-128.png')).toEqual({ width: 128, height: 128 });
    expect(pngSize('store/promo-440x280.png')).toEqual({ width: 440, height: 280 });
  });
});
