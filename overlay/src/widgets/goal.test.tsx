import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { Goal } from './goal';

describe('goal widget', () => {
  it('is hidden without a goal', () => {
    expect(render(<Goal goal={null} />).container.innerHTML).toBe('');
  });

  it('shows label and progress, and grows the bar by transform', () => {
    const view = render(<Goal goal={{ label: 'New mic', target: 5_000, progress: 1_250 }} />);
    expect(view.container.textContent).toContain('New mic');
    expect(view.container.textContent).toContain('1,250 / 5,000');
    const fill = view.container.querySelector<HTMLElement>('.goal-fill')!;
    expect(fill.style.transform).toBe('scaleX(0.25)');
    view.rerender(<Goal goal={{ label: 'New mic', target: 5_000, progress: 9_000 }} />);
    expect(fill.style.transform).toBe('scaleX(1)');
    expect(view.container.querySelector('.goal.reached')).not.toBeNull();
  });
});
