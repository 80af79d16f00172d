import { act, render } from '@testing-library/preact';
import type { RoomEvent } from '@giftstream/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from './config';
import { eventsUrl, Overlay } from './overlay';
import { comboEnd, FakeSocket, gift, hello } from './test-support';

function mount(search = '?room=ada&token=ot_x', extra: Record<string, unknown> = {}) {
  const sound = { play: vi.fn() };
  const view = render(
    <Overlay
      config={parseConfig(search)}
      origin="http://overlay.test"
      WebSocket={FakeSocket as never}
      sound={sound}
      fetch={vi.fn(async () => new Response(null, { status: 200 }))}
      {...extra}
    />,
  );
  return { ...view, sound };
}

const send = (events: RoomEvent | RoomEvent[]) => act(() => FakeSocket.last().frame(events));

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('overlay page', () => {
  it('connects to its room with its token and shows nothing until there is something to show', async () => {
    const { container } = mount();
    expect(FakeSocket.last().url).toBe('ws://overlay.test/v1/rooms/ada/events?token=ot_x');
    await send(hello(3));
    expect(container.textContent).toBe('');
    expect(container.querySelector('.status-dot')).toBeNull();
  });

  it('shows a gift, its goal progress and the leaderboard as they arrive', async () => {
    const { container, sound } = mount();
    await send(hello(0, { goal: { label: 'Mic', target: 100, progress: 0 } }));
    await send([
      gift(1, { giftId: 'balloon', from: 'Ada', message: 'hi!' }),
      { v: 1, seq: 2, type: 'goal', at: 1, goal: { label: 'Mic', target: 100, progress: 100 } },
      { v: 1, seq: 3, type: 'leaderboard', at: 1, leaderboard: [{ name: 'Ada', coins: 100 }] },
    ]);
    expect(container.querySelector('.stage .alert-medium')!.textContent).toContain('Balloon');
    expect(container.querySelector('.goal.reached')).not.toBeNull();
    expect(container.querySelector('.board .name')!.textContent).toBe('Ada');
    expect(sound.play).toHaveBeenCalledWith('medium');
  });

  it('after a reconnect shows every gift once', async () => {
    const { container } = mount();
    await send(hello(0));
    await send([
      gift(1, { from: 'a', combo: { id: 'k1', count: 1 } }),
      gift(2, { from: 'b', combo: { id: 'k2', count: 1 } }),
    ]);
    await act(() => FakeSocket.last().drop());
    await act(() => void vi.advanceTimersByTime(1_000));
    expect(FakeSocket.last().since).toBe(2);
    await send(hello(4));
    await send([
      gift(2, { from: 'b', combo: { id: 'k2', count: 1 } }),
      gift(3, { from: 'a', combo: { id: 'k1', count: 2 } }),
      gift(4, { from: 'c', combo: { id: 'k3', count: 1 } }),
    ]);
    const alerts = [...container.querySelectorAll('[data-alert]')].map((a) => [
      a.getAttribute('data-alert'),
      a.getAttribute('data-count'),
      a.getAttribute('data-events'),
    ]);
    expect(alerts).toEqual([
      ['k1', '2', '2'],
      ['k2', '1', '1'],
      ['k3', '1', '1'],
    ]);
  });

  it('closes a combo on combo_end and clears the stage afterwards', async () => {
    const { container } = mount();
    await send(hello(0));
    await send(gift(1, { giftId: 'trophy', combo: { id: 'k', count: 1 } }));
    await act(() => void vi.advanceTimersByTime(6_000));
    expect(container.querySelector('[data-alert="k"]')).not.toBeNull();
    await send(comboEnd(2, 'k', 1, 250));
    await act(() => void vi.advanceTimersByTime(1_000));
    expect(container.querySelector('[data-alert]')).toBeNull();
  });

  it('shows a clear message and stops on a rejected token', async () => {
    const { container } = mount();
    await act(() => FakeSocket.last().drop(4401));
    await act(() => void vi.advanceTimersByTime(60_000));
    expect(container.querySelector('.notice')!.textContent).toContain('This overlay link is no longer valid');
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('says so when the room does not exist', async () => {
    const { container } = mount('?room=nobody', { fetch: vi.fn(async () => new Response(null, { status: 404 })) });
    for (let i = 0; i < 3; i++) {
      await act(() => FakeSocket.last().drop());
      await act(async () => void (await vi.runOnlyPendingTimersAsync()));
    }
    expect(container.querySelector('.notice')!.textContent).toContain('There is no Giftstream room @nobody');
  });

  it('asks for a room when the URL has none', () => {
    const { container } = mount('?token=x');
    expect(container.querySelector('.notice')!.textContent).toContain('?room=YOUR_HANDLE');
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('shows the status dot only after being disconnected for a few seconds', async () => {
    const { container } = mount();
    await send(hello(0));
    await act(() => FakeSocket.last().drop());
    await act(() => void vi.advanceTimersByTime(2_000));
    // Reconnect attempts keep failing...
    await act(() => FakeSocket.last().drop());
    expect(container.querySelector('.status-dot')).toBeNull();
    await act(() => void vi.advanceTimersByTime(1_100));
    expect(container.querySelector('.status-dot')).not.toBeNull();
    await act(() => void vi.advanceTimersByTime(5_000));
    await send(hello(0));
    expect(container.querySelector('.status-dot')).toBeNull();
  });

  it('filters by minCoins and shows only the widgets asked for', async () => {
    const { container } = mount('?room=ada&token=t&minCoins=50&widgets=alerts');
    await send(hello(0, { goal: { label: 'Mic', target: 100, progress: 5 }, leaderboard: [{ name: 'x', coins: 5 }] }));
    await send([gift(1, { giftId: 'rose' }), gift(2, { giftId: 'pizza' })]);
    expect([...container.querySelectorAll('[data-art]')].map((a) => a.getAttribute('data-art'))).toEqual(['pizza']);
    expect(container.querySelector('.goal, .board')).toBeNull();
  });

  it('shows test alerts like real ones, marked as a test', async () => {
    const { container } = mount();
    await send(hello(0));
    await send({ ...gift(0, { giftId: 'rocket', from: 'Streamer' }), type: 'test', test: true } as RoomEvent);
    expect(container.querySelector('.alert-epic.is-test .test-mark')).not.toBeNull();
  });

  it('scales the 1920×1080 design to the browser source, centred', () => {
    Object.assign(window, { innerWidth: 1280, innerHeight: 800 });
    const { container } = mount();
    const root = container.querySelector<HTMLElement>('.overlay')!;
    expect(root.style.width).toBe('1920px');
    expect(root.style.transform).toBe(`translate(0px, 40px) scale(${1280 / 1920})`);
  });

  it('builds the events URL for http and https origins', () => {
    expect(eventsUrl('https://gs.example', 'ada', 'ot_1', 42)).toBe(
      'wss://gs.example/v1/rooms/ada/events?since=42&token=ot_1',
    );
    expect(eventsUrl('http://127.0.0.1:8787', 'ada', null, null)).toBe('ws://127.0.0.1:8787/v1/rooms/ada/events');
  });
});
