/**
 * Where the relays the user can boost through come from — the settings' list or a signed registry — with
 * their probe results and the user's pin. Registry relays are loaded lazily and reloaded when the relay
 * settings change; a registry that fails verification leaves no relays, never an older unverified list.
 */
import {
  IpcError,
  relayRef,
  type LightspeedNotifier,
  type RelayEndpoint,
  type RelayProbe,
  type RelaysView,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';

import type { EngineFactory, EngineLike } from './ports.js';
import { RelayBook } from './relay-book.js';
import { fetchRegistry } from './relay-registry.js';
import type { SettingsService } from './settings-service.js';

export interface RelaySourcesOptions {
  settings: SettingsService;
  notify: LightspeedNotifier;
  /** Makes the throwaway engine that probes relays outside a session. */
  createEngine: EngineFactory;
  /** The running session's engine, which probes with its own sockets (null outside a session). */
  sessionEngine: () => EngineLike | null;
  fetchRegistry?: (url: string, publicKey: string) => Promise<RelayEndpoint[]>;
  now: () => number;
}

export class RelaySources {
  private readonly book = new RelayBook();
  private registryRelays: RelayEndpoint[] = [];

  constructor(private readonly o: RelaySourcesOptions) {
    this.book.setEndpoints(o.settings.get().relays);
    this.applyPin();
    o.settings.addCheck((next, patch, prev) => this.check(next, patch, prev));
    o.settings.onChange((next, prev) => this.onSettings(next, prev));
  }

  view(): RelaysView {
    return this.book.view();
  }

  /** The pinned relay's id, while it is in the list (null: automatic choice). */
  get pinned(): string | null {
    return this.book.pinned;
  }

  /** Records probe results (a session engine's ranking, or a probe) and publishes the view. */
  record(probes: RelayProbe[]): void {
    this.book.record(probes, this.o.now());
    this.o.notify.relays.changed(this.book.view());
  }

  /** The relays to boost through: loads the registry first if it is the source and not loaded yet. */
  async current(): Promise<RelayEndpoint[]> {
    if (this.o.settings.get().relaySource === 'registry' && this.registryRelays.length === 0)
      await this.reload();
    return this.book.list();
  }

  /** Loads the relay list from the configured source; a registry that cannot be verified throws `no-relays`. */
  async reload(): Promise<void> {
    const { relaySource, registryUrl, registryKey, relays } = this.o.settings.get();
    if (relaySource === 'registry' && registryUrl !== null && registryKey !== null) {
      const fetcher = this.o.fetchRegistry ?? fetchRegistry;
      try {
        this.registryRelays = await fetcher(registryUrl, registryKey);
      } catch (err) {
        // A registry that fails verification leaves no relays: never fall back to an older, unverified list.
        this.book.setEndpoints([]);
        throw new IpcError('no-relays', err instanceof Error ? err.message : String(err));
      }
      this.book.setEndpoints(this.registryRelays);
    } else {
      this.book.setEndpoints(relays);
    }
    this.applyPin();
  }

  /** Measures every relay (through the session's engine when one runs) and publishes the results. */
  async probe(): Promise<RelaysView> {
    const endpoints = await this.current();
    if (endpoints.length === 0) return this.book.view();
    this.book.probing = true;
    this.o.notify.relays.changed(this.book.view());
    try {
      const prober =
        this.o.sessionEngine() ??
        this.o.createEngine({ keepaliveMs: this.o.settings.get().keepaliveIntervalMs });
      // A session engine publishes its ranking as an event too; recording twice is harmless.
      this.book.record(await prober.probe(endpoints), this.o.now());
    } finally {
      this.book.probing = false;
      this.o.notify.relays.changed(this.book.view());
    }
    return this.book.view();
  }

  /** Pins a relay (null: automatic choice) and keeps the choice in the settings. */
  async pin(relayId: string | null): Promise<RelaysView> {
    if (relayId !== null && !this.book.find(relayId))
      throw new IpcError('not-found', `relay '${relayId}' is not in the relay list`);
    await this.o.settings.replace({ ...this.o.settings.get(), pinnedRelay: relayId });
    return this.book.view();
  }

  /** Applies the saved pin to the current relay list: automatic while the pinned relay is not in it. */
  private applyPin(): void {
    const id = this.o.settings.get().pinnedRelay;
    this.book.pinned = id !== null && this.book.find(id) ? id : null;
  }

  private check(next: Settings, patch: SettingsPatch, prev: Settings): void {
    if (patch.pinnedRelay != null && patch.pinnedRelay !== prev.pinnedRelay) {
      const candidates = next.relaySource === 'list' ? next.relays : this.book.list();
      if (!candidates.some((e) => relayRef(e).id === patch.pinnedRelay))
        throw new IpcError('not-found', `relay '${patch.pinnedRelay}' is not in the relay list`);
    }
    if (next.relaySource === 'registry' && (next.registryUrl === null || next.registryKey === null)) {
      throw new IpcError(
        'invalid-argument',
        'registryUrl, registryKey: a registry URL and its public key are required when relays come from a registry',
      );
    }
  }

  private async onSettings(next: Settings, prev: Settings): Promise<void> {
    const relaysChanged =
      prev.relaySource !== next.relaySource ||
      prev.registryUrl !== next.registryUrl ||
      prev.registryKey !== next.registryKey ||
      JSON.stringify(prev.relays) !== JSON.stringify(next.relays);
    if (relaysChanged) {
      this.registryRelays = [];
      await this.reload().catch(() => {});
      this.o.notify.relays.changed(this.book.view());
    } else if (prev.pinnedRelay !== next.pinnedRelay) {
      this.applyPin();
      this.o.notify.relays.changed(this.book.view());
    }
  }
}
