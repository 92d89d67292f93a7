/**
 * What the desktop app keeps in `<userData>/settings.json`: the last boosted target for the tray's "Boost
 * last game". The user's settings live in the file the dashboard and the CLI use
 * (`<config dir>/lightspeed/dashboard-settings.json`), so the three agree on relays, selector and the rest;
 * the `settings` key here is what the app kept before that move, read once to carry it over
 * (`startingSettings`). Anything that is not even an object of this shape is treated as corrupt.
 */
import {
  boostTargetSchema,
  settingsFileSchema,
  type BoostStatus,
  type BoostTarget,
  type Settings,
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

/** How a settings file was read (`SettingsStore.loadOutcome`). */
type Outcome = { source: 'file' } | { source: 'defaults'; reason: string | null };

/**
 * The settings the desktop app starts from: the shared file's; on the first start after the move (the
 * shared file does not exist yet — not merely corrupt), the settings the app kept in its own folder, which
 * are then written to the shared file (`adopt`). Defaults when neither exists.
 */
export function startingSettings(
  shared: { settings: Settings; outcome: Outcome },
  legacy: { state: DesktopState; outcome: Outcome },
): { settings: Settings; adopt: boolean } {
  const sharedMissing = shared.outcome.source === 'defaults' && shared.outcome.reason === null;
  if (sharedMissing && legacy.outcome.source === 'file')
    return { settings: legacy.state.settings, adopt: true };
  return { settings: shared.settings, adopt: false };
}
