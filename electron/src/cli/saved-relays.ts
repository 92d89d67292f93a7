/**
 * The relays a CLI session uses when no `--relay` is given: the app's. The user's saved settings (the file
 * the dashboard and the desktop app keep: their relay list or their own registry, and LightSpeed's default
 * registry unless turned off) go through the app's own `RelaySources`, with the registries' last good
 * copies beside the settings, so the CLI and the UI boost through the same relays and never disagree on
 * what a registry holds. The registries are loaded once, bounded like the app's fetch.
 */
import path from 'node:path';

import {
  createNotifier,
  ipcSchema,
  settingsFileSchema,
  type RelayEndpoint,
  type RelaySourceView,
  type Settings,
} from '@lightspeed/shared';

import { dashboardSettingsPath } from '../ipc-backend/config-dir.js';
import { defaultRegistryFromEnv } from '../ipc-backend/default-registry.js';
import { RegistryCache } from '../ipc-backend/registry-cache.js';
import { RelaySources } from '../ipc-backend/relay-sources.js';
import { SettingsService } from '../ipc-backend/settings-service.js';
import { SettingsStore } from '../ipc-backend/settings-store.js';

/** No relay to use: `configured` says whether a registry was tried (false: nothing saved, registries off). */
export class NoRelay extends Error {
  constructor(
    message: string,
    readonly configured: boolean,
  ) {
    super(message);
  }
}

export interface SavedRelaysOptions {
  /** The settings file (default: the dashboard's, `<config dir>/lightspeed/dashboard-settings.json`). */
  settingsFile?: string;
  /** For LIGHTSPEED_REGISTRY_URL / _KEY (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Where a corrupt settings file is reported (default: stderr). */
  warn?: (message: string) => void;
}

/** The relays the app would boost through now; throws `NoRelay` naming every source tried when none is left. */
export async function savedRelays(o: SavedRelaysOptions = {}): Promise<RelayEndpoint[]> {
  const file = o.settingsFile ?? dashboardSettingsPath();
  const warn = o.warn ?? ((m: string) => console.error(`lightspeed: ${m}`));
  const settings: Settings = new SettingsStore(file, settingsFileSchema, { warn }).load();
  const defaultRegistry = defaultRegistryFromEnv(o.env ?? process.env);
  const notify = createNotifier(ipcSchema, () => undefined);
  const sources = new RelaySources({
    settings: new SettingsService({ initial: settings, notify }),
    notify,
    createEngine: () => {
      throw new Error('the CLI probes with its own engine');
    },
    sessionEngine: () => null,
    defaultRegistry,
    registryCache: new RegistryCache(path.join(path.dirname(file), 'registry-cache.json')),
    now: Date.now,
  });
  // One load of every registry (bounded per fetch), then the merged list, as the app's Boost takes it.
  await sources.reload();
  let relays: RelayEndpoint[] = [];
  try {
    relays = await sources.current();
  } catch {
    // `no-relays`: the sources' own errors are in the view, said below with their URLs.
  }
  if (relays.length > 0) return relays;
  throw noRelay(sources.view().sources ?? [], settings.defaultRegistry && defaultRegistry !== null, file);
}

/** One line naming what was tried: "no relay: LightSpeed's relay registry URL is unreachable (…); add one …". */
export function noRelay(sources: RelaySourceView[], defaultOn: boolean, file: string): NoRelay {
  const registries = sources.filter((s) => s.kind !== 'list');
  const tried = registries.map((s) => describe(s));
  // The saved list is named only when no registry was tried: a registry's failure is the news.
  if (registries.length === 0) tried.push(`no relay is saved in ${file}`);
  if (!defaultOn) tried.push("LightSpeed's relay registry is off");
  return new NoRelay(
    `no relay: ${tried.join('; ')}; add one with --relay HOST:PORT or in Settings`,
    registries.length > 0,
  );
}

function describe(s: RelaySourceView): string {
  const name = s.kind === 'default-registry' ? "LightSpeed's relay registry" : 'your relay registry';
  if (s.error === null) return `${name} ${s.url} lists no relay`;
  // Fetch errors start with the URL, which is already said.
  const reason =
    s.url !== undefined && s.error.startsWith(`${s.url}: `) ? s.error.slice(s.url.length + 2) : s.error;
  const refused = /refused|expired|signature/.test(reason);
  return `${name} ${s.url} ${refused ? 'was refused' : 'is unreachable'} (${reason})`;
}
