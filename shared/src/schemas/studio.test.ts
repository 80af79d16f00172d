import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_OVERLAY_CONFIG, OverlayConfigSchema } from '../overlay/config';
import { OverlayConfigBody } from './studio';

describe('the worker reads the overlay configuration exactly as the overlay does', () => {
  it('has the same JSON Schema as the zod/mini one', () => {
    expect(z.toJSONSchema(OverlayConfigBody)).toEqual(z.toJSONSchema(OverlayConfigSchema));
  });

  it('refuses the same config at the same field with the same message', () => {
    const bad = {
      ...DEFAULT_OVERLAY_CONFIG,
      alerts: {
        ...DEFAULT_OVERLAY_CONFIG.alerts,
        default: { ...DEFAULT_OVERLAY_CONFIG.alerts.default, colour: 'red' },
      },
    };
    const classic = OverlayConfigBody.safeParse(bad).error?.issues[0];
    const mini = OverlayConfigSchema.safeParse(bad).error?.issues[0];
    expect(classic?.path).toEqual(['alerts', 'default', 'colour']);
    expect(classic?.message).toBe(mini?.message);
    expect(OverlayConfigBody.parse(DEFAULT_OVERLAY_CONFIG)).toEqual(DEFAULT_OVERLAY_CONFIG);
  });
});
