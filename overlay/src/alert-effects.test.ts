import { DEFAULT_LOOK, type ResolvedLook } from '@giftstream/shared';
import { describe, expect, it, vi } from 'vitest';
import { onAlertRaised, onAlertShown, spokenText, type EffectsContext } from './alert-effects';
import { AlertQueue, type Alert } from './alert-queue';
import { giftFields } from './test-support';

const look = (over: Partial<ResolvedLook> = {}): ResolvedLook => ({ ...DEFAULT_LOOK, variation: null, ...over });

function context(over: Partial<EffectsContext> = {}) {
  const cx = {
    origin: 'http://o.test',
    sounds: true,
    tts: { enabled: true, minCoins: 100, voice: null, rate: 1 },
    chime: { play: vi.fn() },
    speaker: { voices: () => [{ name: 'V' }] as never, speak: vi.fn() },
    play: vi.fn(),
    ...over,
  };
  return cx;
}

function alertOf(giftId: string, message?: string): Alert {
  const q = new AlertQueue();
  q.gift({ ...giftFields({ giftId, from: 'Ada' }), ...(message ? { message } : {}) }, 0);
  q.tick(0);
  return q.visible(q.visible('stage').length ? 'stage' : 'toast')[0] ?? q.visible('toast')[0]!;
}

describe('alert sounds and speech', () => {
  it('a file sound plays once per combo, or again on every gift that raises the count', () => {
    const cx = context();
    const once = look({ sound: { kind: 'file', media: 'm_aaaaaaaaaaaaaaaaaaaa', repeat: 'combo' } });
    const every = look({ sound: { kind: 'file', media: 'm_aaaaaaaaaaaaaaaaaaaa', repeat: 'every' } });
    onAlertShown(alertOf('rocket'), once, cx);
    onAlertRaised(once, cx);
    expect(cx.play).toHaveBeenCalledTimes(1);
    onAlertRaised(every, cx);
    expect(cx.play).toHaveBeenLastCalledWith('http://o.test/v1/media/m_aaaaaaaaaaaaaaaaaaaa');
    expect(cx.play).toHaveBeenCalledTimes(2);
    expect(cx.chime.play).not.toHaveBeenCalled();
  });

  it('with sounds off no file plays; silent looks call nothing', () => {
    const cx = context({ sounds: false });
    onAlertShown(
      alertOf('rocket'),
      look({ sound: { kind: 'file', media: 'm_aaaaaaaaaaaaaaaaaaaa', repeat: 'every' } }),
      cx,
    );
    onAlertShown(alertOf('rose'), look({ sound: { kind: 'none' } }), cx);
    expect(cx.play).not.toHaveBeenCalled();
    expect(cx.chime.play).not.toHaveBeenCalled();
  });

  it('reads a message from the TTS minimum up, when a voice exists', () => {
    const cx = context();
    onAlertShown(alertOf('balloon', 'hello'), look(), cx);
    onAlertShown(alertOf('rose', 'too cheap'), look(), cx);
    expect(cx.speaker!.speak).toHaveBeenCalledTimes(1);
    expect(cx.speaker!.speak).toHaveBeenCalledWith('Ada says: hello', null, 1);
    const mute = context({ speaker: { voices: () => [], speak: vi.fn() } });
    onAlertShown(alertOf('rocket', 'hi'), look(), mute);
    expect(mute.speaker!.speak).not.toHaveBeenCalled();
    expect(spokenText(alertOf('rocket'))).toBeNull();
  });
});

describe('the queue and a look', () => {
  it('tells when a shown combo goes on, and keeps an alert up as long as its look says', () => {
    const raised = vi.fn();
    const q = new AlertQueue({ onRaise: raised, holdOf: (a) => (a.tier === 'epic' ? 20_000 : null) });
    const first = giftFields({ giftId: 'galaxy', id: 'g1' });
    q.gift(first, 0);
    q.tick(0);
    q.gift({ ...first, id: 'g2', combo: { id: first.combo.id, count: 2 } }, 1_000);
    expect(raised).toHaveBeenCalledTimes(1);
    q.comboEnd({ comboId: first.combo.id, count: 2 }, 6_000);
    q.tick(15_000);
    expect(q.visible('stage')[0]!.leavingAt).toBeNull();
    q.tick(20_000);
    expect(q.visible('stage')[0]!.leavingAt).toBe(20_000);
  });
});
