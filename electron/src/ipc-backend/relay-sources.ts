/**
 * Where the relays the user can boost through come from, with their probe results and the user's pin:
 * LightSpeed's default registry (on unless turned off) alongside the user's own relays — the list they
 * typed, or their own signed registry. Registries load in the background, bounded in time and size, fall
 * back to their last good copy on disk, and reload when the relay settings change or a copy runs out. A
 * registry that cannot be loaded gives no relays and says why, and never takes the user's own relays with it.
 */
import {
  IpcError,
  relayRef,
  type LightspeedNotifier,
  type RelayEndpoint,
  type RelayProbe,
  type RelaySourceView,
  type RelaysView,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';

import type { RegistryLocation } from './default-registry.js';
import type { EngineFactory, EngineLike } from './ports.js';
import { RelayBook } from './relay-book.js';
import type { RegistryCache } from './registry-cache.js';
import { loadRegistryRelays, type RegistryLoad } from './relay-registry.js';
import type { SettingsService } from './settings-service.js';

/** A registry that loaded is fetched again after this long (in the background while its relays serve). */
const REFRESH_MS = 60 * 60_000;
/** A registry that failed, or serves its last good copy, is tried again after this long (while other relays serve). */
const STALE_RETRY_MS = 60_000;

export interface RelaySourcesOptions {
  settings: SettingsService;
  notify: LightspeedNotifier;
  /** Makes the throwaway engine that probes relays outside a session. */
  createEngine: EngineFactory;
  /** The running session's engine, which probes with its own sockets (null outside a session). */
  sessionEngine: () => EngineLike | null;
  /** The registry the app ships (`default-registry.ts`); null or absent: none. */
  defaultRegistry?: RegistryLocation | null;
  /** Where registries' last good copies are kept (absent: not kept). */
  registryCache?: RegistryCache | null;
  /** Bound on one registry fetch (default `REGISTRY_TIMEOUT_MS`). */
  registryTimeoutMs?: number;
  now: () => number;
}

type RegistryKind = 'default-registry' | 'registry';

interface RegistrySource extends RegistryLocation {
  kind: RegistryKind;
}

interface RegistryResult {
  source: RegistrySource;
  load: RegistryLoad | null;
  error: string | null;
  atMs: number;
}

export class RelaySources {
  private readonly book = new RelayBook();
  private results = new Map<RegistryKind, RegistryResult>();
  private loading: Promise<void> | null = null;
  /** Bumped when the relay settings change: a load started before is not applied. */
  private generation = 0;

  constructor(private readonly o: RelaySourcesOptions) {
    this.apply();
    o.settings.addCheck((next, patch, prev) => this.check(next, patch, prev));
    o.settings.onChange((next, prev) => this.onSettings(next, prev));
  }

  view(): RelaysView {
    return { ...this.book.view(), sources: this.sourcesView() };
  }

  /** The pinned relay's id, while it is in the list (null: automatic choice). */
  get pinned(): string | null {
    return this.book.pinned;
  }

  /** Records probe results (a session engine's ranking, or a probe) and publishes the view. */
  record(probes: RelayProbe[]): void {
    this.book.record(probes, this.o.now());
    this.publish();
  }

  /**
   * The relays to boost through. With no relay at all, waits for the registries that have none to give
   * (one bounded fetch); otherwise a registry not loaded, failed or due for a refresh reloads in the
   * background, and the relays already there serve at once. Throws `no-relays` with the reasons when no relay
   * is left because sources failed.
   */
  async current(): Promise<RelayEndpoint[]> {
    const now = this.o.now();
    const wanted = this.registrySources(this.o.settings.get());
    const results = wanted.map((s) => this.results.get(s.kind));
    // A copy that ran out while the app ran: its relays leave the list now.
    if (results.some((r) => r?.load != null && now >= r.load.expiresAtMs)) {
      this.apply();
      this.publish();
    }
    if (results.some((r) => !usable(r, now)) && this.book.list().length === 0) await this.reload();
    else if (results.some((r) => r === undefined || due(r, now))) void this.reload();
    const list = this.book.list();
    const errors = this.errors();
    if (list.length === 0 && errors.length > 0) throw new IpcError('no-relays', errors.join('; '));
    return list;
  }

  /** Loads every registry source now (joining a load in progress); failures are kept per source, not thrown. */
  reload(): Promise<void> {
    if (this.loading === null) {
      const loading: Promise<void> = this.loadRegistries().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
      this.publish();
    }
    return this.loading;
  }

  /** Measures every relay (through the session's engine when one runs) and publishes the results. */
  async probe(): Promise<RelaysView> {
    const endpoints = await this.current();
    if (endpoints.length === 0) return this.view();
    this.book.probing = true;
    this.publish();
    try {
      const prober =
        this.o.sessionEngine() ??
        this.o.createEngine({ keepaliveMs: this.o.settings.get().keepaliveIntervalMs });
      // A session engine publishes its ranking as an event too; recording twice is harmless.
      this.book.record(await prober.probe(endpoints), this.o.now());
    } finally {
      this.book.probing = false;
      this.publish();
    }
    return this.view();
  }

  /** Pins a relay (null: automatic choice) and keeps the choice in the settings. */
  async pin(relayId: string | null): Promise<RelaysView> {
    if (relayId !== null && !this.book.find(relayId))
      throw new IpcError('not-found', `relay '${relayId}' is not in the relay list`);
    await this.o.settings.replace({ ...this.o.settings.get(), pinnedRelay: relayId });
    return this.view();
  }

  private registrySources(s: Settings): RegistrySource[] {
    const sources: RegistrySource[] = [];
    if (s.relaySource === 'registry' && s.registryUrl !== null && s.registryKey !== null)
      sources.push({ kind: 'registry', url: s.registryUrl, publicKey: s.registryKey });
    if (s.defaultRegistry && this.o.defaultRegistry)
      sources.push({ kind: 'default-registry', ...this.o.defaultRegistry });
    return sources;
  }

  private async loadRegistries(): Promise<void> {
    const generation = this.generation;
    const wanted = this.registrySources(this.o.settings.get());
    if (wanted.length === 0) return;
    const loaded = await Promise.all(wanted.map((source) => this.loadOne(source)));
    if (generation !== this.generation) return;
    for (const result of loaded) this.results.set(result.source.kind, result);
    this.apply();
    this.publish();
  }

  private async loadOne(source: RegistrySource): Promise<RegistryResult> {
    try {
      const load = await loadRegistryRelays(source.url, source.publicKey, {
        cache: this.o.registryCache ?? null,
        now: this.o.now,
        ...(this.o.registryTimeoutMs === undefined ? {} : { timeoutMs: this.o.registryTimeoutMs }),
      });
      return { source, load, error: null, atMs: this.o.now() };
    } catch (err) {
      // A registry that fails verification leaves no relays: never fall back to an older, unverified list.
      const message = err instanceof Error ? err.message : String(err);
      return { source, load: null, error: message, atMs: this.o.now() };
    }
  }

  /** Rebuilds the relay list: the user's own relays first, then the default registry's (first of an id wins). */
  private apply(): void {
    const s = this.o.settings.get();
    const now = this.o.now();
    const own: RelayEndpoint[] =
      s.relaySource === 'list' ? s.relays : this.relaysOf(this.results.get('registry'), now);
    const fromDefault = s.defaultRegistry ? this.relaysOf(this.results.get('default-registry'), now) : [];
    const seen = new Set<string>();
    const merged: RelayEndpoint[] = [];
    for (const e of [...own, ...fromDefault]) {
      const { id, address } = relayRef(e);
      if (seen.has(id) || seen.has(address)) continue;
      seen.add(id).add(address);
      merged.push(e);
    }
    this.book.setEndpoints(merged);
    this.applyPin();
  }

  private relaysOf(result: RegistryResult | undefined, now: number): RelayEndpoint[] {
    return result?.load && now < result.load.expiresAtMs ? result.load.relays : [];
  }

  /** Applies the saved pin to the current relay list: automatic while the pinned relay is not in it. */
  private applyPin(): void {
    const id = this.o.settings.get().pinnedRelay;
    this.book.pinned = id !== null && this.book.find(id) ? id : null;
  }

  private errors(): string[] {
    const wanted = this.registrySources(this.o.settings.get());
    return wanted.flatMap((s) => {
      const error = this.results.get(s.kind)?.error;
      return error ? [`${label(s.kind)}: ${error}`] : [];
    });
  }

  private sourcesView(): RelaySourceView[] {
    const s = this.o.settings.get();
    const now = this.o.now();
    const views: RelaySourceView[] = this.registrySources(s).map((source) => {
      const result = this.results.get(source.kind);
      const fresh = result?.source.url === source.url;
      const load = fresh ? (result?.load ?? null) : null;
      return {
        kind: source.kind,
        url: source.url,
        relays: this.relaysOf(fresh ? result : undefined, now).length,
        loading: this.loading !== null && (!fresh || !usable(result, now)),
        error: fresh ? (result?.error ?? load?.staleBecause ?? null) : null,
        ...(load?.staleBecause === undefined
          ? {}
          : { cachedUntil: new Date(load.expiresAtMs).toISOString() }),
      };
    });
    if (s.relaySource === 'list')
      views.unshift({ kind: 'list', relays: s.relays.length, loading: false, error: null });
    return views;
  }

  private publish(): void {
    this.o.notify.relays.changed(this.view());
  }

  private check(next: Settings, patch: SettingsPatch, prev: Settings): void {
    if (patch.pinnedRelay != null && patch.pinnedRelay !== prev.pinnedRelay) {
      const candidates = [...(next.relaySource === 'list' ? next.relays : []), ...this.book.list()];
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
      prev.defaultRegistry !== next.defaultRegistry ||
      prev.relaySource !== next.relaySource ||
      prev.registryUrl !== next.registryUrl ||
      prev.registryKey !== next.registryKey ||
      JSON.stringify(prev.relays) !== JSON.stringify(next.relays);
    if (relaysChanged) {
      // A changed registry is loaded afresh; the default registry's result stays valid if it is still used.
      this.generation++;
      this.loading = null;
      if (prev.registryUrl !== next.registryUrl || prev.registryKey !== next.registryKey)
        this.results.delete('registry');
      this.apply();
      await this.reload();
      this.publish();
    } else if (prev.pinnedRelay !== next.pinnedRelay) {
      this.applyPin();
      this.publish();
    }
  }
}

/** A registry result whose relays can be used now. */
function usable(r: RegistryResult | undefined, now: number): boolean {
  return r?.load != null && r.load.relays.length > 0 && now < r.load.expiresAtMs;
}

/** A result that should be fetched again: failed or from the cached copy after a minute, fresh after an hour. */
function due(r: RegistryResult, now: number): boolean {
  const fresh = usable(r, now) && r.load?.staleBecause === undefined;
  return now - r.atMs > (fresh ? REFRESH_MS : STALE_RETRY_MS);
}

function label(kind: RegistryKind): string {
  return kind === 'default-registry' ? "LightSpeed's relay registry" : 'your relay registry';
}
