import { DEFAULT_OVERLAY_CONFIG, overlaySettingsOrDefault, type OverlaySettings } from '@giftstream/shared';
import { useCallback, useRef, useState } from 'preact/hooks';

export interface RoomSettings {
  /** -1 until the room's configuration has been read. */
  revision: number;
  config: OverlaySettings;
  /** The saved configuration did not pass the schema, so the default look is shown. */
  broken: boolean;
}

/**
 * The room's saved overlay configuration: read over HTTP when the overlay (re)connects, then replaced by each
 * `config` event. A revision never goes back, so a slow read cannot undo a newer save. A configuration that
 * does not pass the schema shows the default look rather than nothing.
 */
export function useRoomSettings(origin: string, room: string, fetchImpl: typeof fetch) {
  const [state, setState] = useState<RoomSettings>({ revision: -1, config: DEFAULT_OVERLAY_CONFIG, broken: false });
  const latest = useRef(-1);
  const apply = useCallback((revision: number, value: unknown) => {
    if (revision <= latest.current) return;
    latest.current = revision;
    const { config, broken } = overlaySettingsOrDefault(value);
    if (broken) console.warn('Giftstream: the saved overlay configuration is not valid; showing the default look.');
    setState({ revision, config, broken });
  }, []);
  const load = useCallback(async () => {
    try {
      const res = await fetchImpl(new URL(`/v1/rooms/${encodeURIComponent(room)}/overlay-config`, origin));
      if (!res.ok) return;
      const body = (await res.json()) as { revision?: unknown; config?: unknown };
      if (typeof body.revision === 'number') apply(body.revision, body.config);
    } catch {
      // Offline or an old server: the default look until the next connection.
    }
  }, [origin, room, fetchImpl]);
  return [state, () => void load(), apply] as const;
}
