import { z } from 'zod';
import { text } from './common';

/**
 * Request and response shapes of the overlay studio's routes. The overlay configuration itself is
 * `OverlayConfigSchema` (zod/mini, in overlay/config.ts), which the overlay parses with too.
 */
export const StudioSessionRequest = z.strictObject({ ticket: z.string().regex(/^st_[A-Za-z0-9_-]{20,60}$/) });
export const StudioTicketResponse = z.object({ ticket: z.string(), studioUrl: z.string(), expiresAt: z.int() });

export const MediaUploadQuery = z.strictObject({ name: text(1, 80).optional() });
export const MediaDeleteQuery = z.strictObject({ confirm: z.enum(['1', 'true']).optional() });

export const MediaFileSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'sound']),
  contentType: z.string(),
  bytes: z.int(),
  name: z.string(),
  url: z.string(),
  createdAt: z.int(),
  /** Where the current configuration uses it: "Default look" or a variation's name. */
  usedBy: z.array(z.object({ variation: z.string().nullable(), name: z.string() })),
});
export const MediaListResponse = z.object({
  files: z.array(MediaFileSchema),
  usage: z.object({ bytes: z.int(), files: z.int() }),
  quota: z.object({ bytes: z.int(), files: z.int(), fileBytes: z.int() }),
});
export const MediaUploadResponse = z.object({ file: MediaFileSchema });
