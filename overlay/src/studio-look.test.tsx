import { act, render } from '@testing-library/preact';
import { DEFAULT_OVERLAY_CONFIG, type OverlaySettings, type RoomEvent } from '@giftstream/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from './config';
import { Overlay } from './overlay';
import { urlOverrides } from './settings';
import { FakeSocket, gift, hello } from './test-support';

const IMG = 'm_image0000000000000001';
const SND = 'm_sound0000000000000001';

/** The streamer: big gifts their own image and sound, small gifts quiet, messages of 100+ read out. */
const streamer: OverlaySettings = {
  ...DEFAULT_OVERLAY_CONFIG,
  sounds: true,
  theme: 'minimal',
  alerts: {
    default: { ...DEFAULT_OVERLAY_CONFIG.alerts.default, colour: '#224488' },
    variations: [
      {
        id: 'big',
        name: '1,000 and up',
        when: { minCoins: 1000 },
        look: { image: IMG, sound: { kind: 'file', media: SND, repeat: 'every' }, enter: 'zoom', position: 'bottom' },
      },
      { id: 'quiet', name: 'Small gifts', when: { minCoins: 1 }, look: { sound: { kind: 'none' }, scale: 150 } },
    ],
  },
  tts: { enabled: true, minCoins: 100, voice: 'Ada Voice', rate: 1.3 },
};

function mount(search: string, stored: { revision: number; config: unknown } | null, voices = ['Ada Voice']) {
  const sound = { play: vi.fn() };
  const speaker = { voices: () => voices.map((name) => ({ name })) as never, speak: vi.fn() };
  const fetchMock = vi.fn(async (url: URL | RequestInfo) =>
    String(url).endsWith('/overlay-config') && stored
      ? new Response(JSON.stringify(stored), { status: 200 })
      : new Response(null, { status: 200 }),
  );
  const config = parseConfig(search);
  const view = render(
    <Overlay
      config={config}
      overrides={urlOverrides(search, config)}
      origin="http://overlay.test"
      WebSocket={FakeSocket as never}
      sound={sound}
      speaker={speaker}
      fetch={fetchMock as never}
    />,
  );
  return { ...view, sound, speaker };
}

const send = (events: RoomEvent | RoomEvent[]) => act(() => FakeSocket.last().frame(events));
/** Lets the config read (a resolved fetch) land. */
const settle = () =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(0);
  });

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the overlay with a saved configuration', () => {
  it('reads the room config on connect and draws each alert with its variation', async () => {
    const { container, sound, speaker } = mount('?room=ada&token=ot_x', { revision: 3, config: streamer });
    await send(hello(0));
    await settle();
    expect(container.querySelector('[data-revision]')!.getAttribute('data-revision')).toBe('3');
    expect(container.querySelector('.theme-minimal')).not.toBeNull();
    await send(gift(1, { giftId: 'rocket', from: 'Bo', message: 'to the moon' }));
    const big = container.querySelector('.stage .alert')!;
    expect(big.className).toContain('enter-zoom');
    expect(big.className).toContain('pos-bottom');
    expect(big.querySelector('img.art')!.getAttribute('src')).toBe(`http://overlay.test/v1/media/${IMG}`);
    expect(sound.play).not.toHaveBeenCalled();
    expect(speaker.speak).toHaveBeenCalledWith('Bo says: to the moon', 'Ada Voice', 1.3);
  });

  it('small gifts are quiet and bigger; no message under the TTS minimum is spoken', async () => {
    const { container, sound, speaker } = mount('?room=ada', { revision: 1, config: streamer });
    await send(hello(0));
    await settle();
    await send(gift(1, { giftId: 'rose', message: 'hello there' }));
    const toast = container.querySelector('.toasts .alert') as HTMLElement;
    expect(toast.style.getPropertyValue('scale')).toBe('1.5');
    expect(sound.play).not.toHaveBeenCalled();
    expect(speaker.speak).not.toHaveBeenCalled();
  });

  it('a config event restyles at once; URL parameters still win', async () => {
    const { container, sound } = mount('?room=ada&token=ot_x&theme=default', null);
    await send(hello(0));
    await settle();
    await send(gift(1, { giftId: 'balloon' }));
    expect(sound.play).toHaveBeenCalledWith('medium');
    expect(container.querySelector('.stage .alert')!.className).not.toContain('custom-colour');
    await send({ v: 1, seq: 1, type: 'config', at: 1, revision: 2, config: streamer });
    expect(container.querySelector('.stage .alert')!.className).toContain('custom-colour');
    // theme=default in the address keeps the cards although the saved look is minimal.
    expect(container.querySelector('.theme-minimal')).toBeNull();
    // An older revision that arrives late does not undo the newer one.
    await send({ v: 1, seq: 1, type: 'config', at: 1, revision: 1, config: DEFAULT_OVERLAY_CONFIG });
    expect(container.querySelector('[data-revision]')!.getAttribute('data-revision')).toBe('2');
  });

  it('a broken config falls back to the default look instead of showing nothing', async () => {
    const { container } = mount('?room=ada&token=ot_x', { revision: 5, config: { version: 1, alerts: 'oops' } });
    await send(hello(0));
    await settle();
    await send(gift(1, { giftId: 'rocket', from: 'Bo' }));
    const alert = container.querySelector('.stage .alert-epic')!;
    expect(alert.textContent).toContain('Rocket');
    expect(alert.querySelector('svg.art, .art')).not.toBeNull();
    expect(alert.querySelector('img')).toBeNull();
  });

  it('reads nothing aloud where the browser has no voice', async () => {
    const { speaker } = mount('?room=ada', { revision: 1, config: streamer }, []);
    await send(hello(0));
    await settle();
    await send(gift(1, { giftId: 'rocket', message: 'hi' }));
    expect(speaker.speak).not.toHaveBeenCalled();
  });
});
