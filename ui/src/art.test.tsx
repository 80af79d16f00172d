import { render } from '@testing-library/preact';
import { GIFTS } from '@giftstream/shared';
import { describe, expect, it } from 'vitest';
import { GIFT_ART, GiftArt } from './art';

describe('gift art', () => {
  it('has its own art for every gift in the catalog', () => {
    for (const g of GIFTS) {
      expect(GIFT_ART[g.id], g.id).toBeTypeOf('function');
      const svg = render(<GiftArt giftId={g.id} />).container.querySelector('svg')!;
      expect(svg.getAttribute('data-art')).toBe(g.id);
      expect(svg.children.length).toBeGreaterThan(0);
    }
  });

  it('falls back to a gift box for a gift it does not know, or none', () => {
    for (const giftId of ['operator_special', 'toString', '__proto__', undefined]) {
      const svg = render(<GiftArt giftId={giftId} />).container.querySelector('svg')!;
      expect(svg.getAttribute('data-art'), String(giftId)).toBe('fallback');
      expect(svg.children.length).toBeGreaterThan(0);
    }
  });

  it('uses no remote assets', () => {
    for (const g of GIFTS) expect(render(<GiftArt giftId={g.id} />).container.innerHTML).not.toMatch(/href|url\(|src=/);
  });
});
