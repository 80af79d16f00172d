import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { Leaderboard, ROW_PX } from './leaderboard';

const rowOf = (c: Element, name: string) =>
  [...c.querySelectorAll<HTMLElement>('.board-row')].find((r) => r.querySelector('.name')!.textContent === name)!;

describe('leaderboard widget', () => {
  it('is hidden while nobody has given', () => {
    expect(render(<Leaderboard entries={[]} />).container.innerHTML).toBe('');
  });

  it('shows the top five and moves a climbing supporter by transform, keeping its element', () => {
    const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => ({ name, coins: 600 - i * 100 }));
    const view = render(<Leaderboard entries={entries} />);
    expect(view.container.querySelectorAll('.board-row')).toHaveLength(5);
    const e = rowOf(view.container, 'e');
    expect(e.style.transform).toBe(`translateY(${4 * ROW_PX}px)`);
    view.rerender(<Leaderboard entries={[{ name: 'e', coins: 9_999 }, ...entries.filter((x) => x.name !== 'e')]} />);
    expect(rowOf(view.container, 'e')).toBe(e);
    expect(e.style.transform).toBe('translateY(0px)');
    expect(e.textContent).toContain('9,999');
  });

  it('keeps two supporters with the same name apart', () => {
    const view = render(
      <Leaderboard
        entries={[
          { name: 'Anonymous', coins: 50 },
          { name: 'Anonymous', coins: 20 },
        ]}
      />,
    );
    expect(view.container.querySelectorAll('.board-row')).toHaveLength(2);
  });

  it('renders names as text', () => {
    const view = render(<Leaderboard entries={[{ name: '<img src=x onerror=alert(1)>', coins: 5 }]} />);
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.querySelector('.name')!.textContent).toBe('<img src=x onerror=alert(1)>');
  });
});
