import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { AlertQueue } from '../alert-queue';
import { giftFields } from '../test-support';
import { Alerts, TOAST_PITCH_PX } from './alerts';

function shown(queue: AlertQueue, now = 0) {
  queue.tick(now);
  return render(<Alerts queue={queue} />);
}

describe('alerts widget', () => {
  it('presents each tier its own way', () => {
    const q = new AlertQueue();
    q.gift(giftFields({ giftId: 'heart', from: 'Ada' }), 0);
    q.gift(giftFields({ giftId: 'trophy', from: 'Bo', message: 'gg' }), 0);
    const { container } = shown(q);
    const toast = container.querySelector('.toasts .alert')!;
    expect(toast.className).toContain('alert-small');
    expect(toast.textContent).toContain('Ada');
    expect(toast.textContent).toContain('Heart');
    expect(toast.querySelector('svg[data-art="heart"]')).not.toBeNull();
    const card = container.querySelector('.stage .alert')!;
    expect(card.className).toContain('alert-medium');
    expect(card.textContent).toContain('Trophy');
    expect(card.textContent).toContain('250 coins');
    expect(card.querySelector('.message')!.textContent).toBe('gg');
  });

  it('gives epic gifts the full-width moment', () => {
    const q = new AlertQueue();
    q.gift(giftFields({ giftId: 'galaxy', from: 'Whale' }), 0);
    const { container } = shown(q);
    const epic = container.querySelector('.stage .alert-epic')!;
    expect(epic.querySelector('.epic-rays')).not.toBeNull();
    expect(epic.textContent).toContain('Galaxy');
    expect(epic.textContent).toContain('25,000 coins');
  });

  it('stacks toasts by transform, newest at the bottom', () => {
    const q = new AlertQueue();
    for (const from of ['a', 'b', 'c']) q.gift(giftFields({ from }), 0);
    const { container } = shown(q);
    const slots = [...container.querySelectorAll<HTMLElement>('.toast-slot')];
    expect(slots.map((s) => s.style.transform)).toEqual([
      `translateY(${-2 * TOAST_PITCH_PX}px)`,
      `translateY(${-TOAST_PITCH_PX}px)`,
      'translateY(0px)',
    ]);
  });

  it('updates a combo in place: same element, rising count', () => {
    const q = new AlertQueue();
    const first = giftFields({ giftId: 'rose', id: 'g1', combo: { id: 'combo1', count: 1 } });
    q.gift(first, 0);
    const view = shown(q);
    const el = view.container.querySelector('[data-alert="combo1"]')!;
    expect(el.querySelector('.count')!.textContent).toBe('×1');
    q.gift({ ...first, id: 'g2', count: 4, combo: { id: 'combo1', count: 5 } }, 100);
    q.tick(100);
    view.rerender(<Alerts queue={q} />);
    expect(view.container.querySelectorAll('[data-alert]')).toHaveLength(1);
    expect(view.container.querySelector('[data-alert="combo1"]')).toBe(el);
    expect(el.querySelector('.count')!.textContent).toBe('×5');
    expect(el.getAttribute('data-events')).toBe('2');
  });

  it('shows an aggregated burst as one alert naming a few senders', () => {
    const q = new AlertQueue({ toastSlots: 1, maxPending: 2 });
    q.gift(giftFields({ from: 'first' }), 0);
    q.tick(0);
    for (const from of ['Ada', 'Bo', 'Cy', 'Di', 'Ed']) q.gift(giftFields({ from, count: 2 }), 1);
    // Let the first toast go so the aggregate takes the slot.
    q.tick(10_000);
    q.tick(10_000 + 400);
    const { container } = shown(q, 10_401);
    const alert = container.querySelector('.alert.aggregated')!;
    expect(alert.querySelector('.who')!.textContent).toBe('Ada, Bo +3');
    expect(alert.querySelector('.count')!.textContent).toBe('×10');
    expect(alert.getAttribute('data-combos')!.split(' ')).toHaveLength(5);
  });

  it('renders names and messages as text, never as HTML', () => {
    const q = new AlertQueue();
    const name = '<img src=x onerror=alert(1)>';
    q.gift(giftFields({ giftId: 'trophy', from: name, message: '<b>bold</b><script>alert(2)</script>' }), 0);
    const { container } = shown(q);
    expect(container.querySelector('img, script, .message b')).toBeNull();
    expect(container.querySelector('.who')!.textContent).toBe(name);
    expect(container.querySelector('.message')!.textContent).toBe('<b>bold</b><script>alert(2)</script>');
  });

  it('marks test alerts', () => {
    const q = new AlertQueue();
    q.gift({ ...giftFields({ giftId: 'rocket' }), test: true }, 0);
    const { container } = shown(q);
    expect(container.querySelector('.alert.is-test .test-mark')!.textContent).toBe('test');
  });

  it('renders nothing but empty containers when there is nothing to show', () => {
    const { container } = shown(new AlertQueue());
    expect(container.querySelectorAll('.alert')).toHaveLength(0);
    expect(container.textContent).toBe('');
  });
});
