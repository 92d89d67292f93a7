/**
 * What the desktop app keeps in `<userData>/settings.json`: the contract's settings (each key falls back
 * to its default on its own, see `settingsFileSchema`) plus the last boosted target for the tray's
 * "Boost last game". Anything that is not even an object of that shape is treated as corrupt.
 */
import {
  boostTargetSchema,
  settingsFileSchema,
  type BoostStatus,
  type BoostTarget,
} from '@lightspeed/shared';
import { z } from 'zod';

export const SETTINGS_FILE_NAME = 'settings.json';

/** The last session the user started, replayed by the tray menu. */
export const lastBoostSchema = z.object({
  target: boostTargetSchema,
  name: z.string().min(1).max(256),
});
export type LastBoost = z.infer<typeof lastBoostSchema>;

export const desktopStateSchema = z.object({
  settings: settingsFileSchema.default(() => settingsFileSchema.parse({})),
  lastBoost: lastBoostSchema.nullable().catch(null).default(null),
});
export type DesktopState = z.infer<typeof desktopStateSchema>;

/** The target that would start `status`'s session again, or null when there is no session. */
export function lastBoostFrom(status: BoostStatus): LastBoost | null {
  const session = status.session;
  if (session === null) return null;
  const target: BoostTarget =
    session.gameId === null
      ? { kind: 'server', server: session.server, name: session.name.slice(0, 64) }
      : { kind: 'game', gameId: session.gameId, server: session.server };
  const parsed = lastBoostSchema.safeParse({ target, name: session.name });
  return parsed.success ? parsed.data : null;
}
