/**
 * The backend's settings: the current value, a patch's validation (the schema, then the checks other parts
 * add, such as "a pinned relay must be in the relay list"), saving, and telling the UI and the other parts.
 */
import {
  IpcError,
  settingsSchema,
  type LightspeedNotifier,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';

/** Refuses a patch by throwing an `IpcError`; `next` is the current settings with the patch applied. */
export type SettingsCheck = (next: Settings, patch: SettingsPatch, prev: Settings) => void;

/** Reacts to saved settings, after the UI has been told (in the order the listeners were added). */
export type SettingsListener = (next: Settings, prev: Settings) => void | Promise<void>;

export interface SettingsServiceOptions {
  initial: Settings;
  notify: LightspeedNotifier;
  /** Persists settings after every change (absent: they live only for the run). */
  save?: (settings: Settings) => Promise<void>;
}

export class SettingsService {
  private current: Settings;
  private readonly checks: SettingsCheck[] = [];
  private readonly listeners: SettingsListener[] = [];

  constructor(private readonly o: SettingsServiceOptions) {
    this.current = o.initial;
  }

  get(): Settings {
    return this.current;
  }

  /** Adds a check every patch must pass before it is saved. */
  addCheck(check: SettingsCheck): void {
    this.checks.push(check);
  }

  /** Adds a listener called after every saved change. */
  onChange(listener: SettingsListener): void {
    this.listeners.push(listener);
  }

  /** Validates a patch from the UI, then saves and publishes it. */
  async set(patch: SettingsPatch): Promise<Settings> {
    const next = { ...this.current, ...patch };
    const parsed = settingsSchema.safeParse(next);
    if (!parsed.success)
      throw new IpcError('invalid-argument', parsed.error.issues[0]?.message ?? 'invalid settings');
    for (const check of this.checks) check(next, patch, this.current);
    await this.replace(parsed.data);
    return this.current;
  }

  /** Saves `next` (a save that fails changes nothing), tells the UI, then the listeners. */
  async replace(next: Settings): Promise<void> {
    const prev = this.current;
    await this.o.save?.(next);
    this.current = next;
    this.o.notify.settings.changed(next);
    for (const listener of this.listeners) await listener(next, prev);
  }
}
