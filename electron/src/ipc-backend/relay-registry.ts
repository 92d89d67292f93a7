/**
 * Relays from a signed registry (see engine/discovery/signed-registry.ts): the document must verify against
 * the pinned Ed25519 key and be unexpired, or it is refused with the reason. Only then do its relays become
 * endpoints the UI can pick. The fetch is bounded (time and size); with a cache, a fetch that fails falls
 * back to the last good copy, verified again (so its expiry still holds).
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import {
  loadRegistry,
  readRegistryText,
  verifyRegistry,
  type DiscoveredRelay,
} from '../engine/discovery/index.js';
import type { RegistryCache } from './registry-cache.js';

/** Largest relay list taken from a registry. */
const MAX_RELAYS = 64;
/** How long a registry fetch may take, connection and body included. */
export const REGISTRY_TIMEOUT_MS = 5000;

/** Fetches the registry at `url`, verifies it against `publicKey` and returns its relays as endpoints. */
export async function fetchRegistry(url: string, publicKey: string): Promise<RelayEndpoint[]> {
  const { relays } = await loadRegistry(url, publicKey);
  return toEndpoints(relays);
}

export interface RegistryLoad {
  relays: RelayEndpoint[];
  /** When the registry (or the copy used) expires, ms since the epoch. */
  expiresAtMs: number;
  /** The fetch failed and the relays come from the last good copy: why the fetch failed. */
  staleBecause?: string;
}

export interface RegistryLoadOptions {
  cache?: RegistryCache | null;
  timeoutMs?: number;
  now?: () => number;
}

/** Loads a registry: fetched and verified (then cached), else the cached copy, else the fetch's error. */
export async function loadRegistryRelays(
  url: string,
  publicKey: string,
  o: RegistryLoadOptions = {},
): Promise<RegistryLoad> {
  const now = new Date((o.now ?? Date.now)());
  try {
    const text = await readRegistryText(url, o.timeoutMs ?? REGISTRY_TIMEOUT_MS);
    const verified = verifyRegistry(text, publicKey, { now, from: url });
    await o.cache?.put(url, publicKey, text).catch(() => undefined);
    return { relays: toEndpoints(verified.relays), expiresAtMs: verified.expiresAt.getTime() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const copy = (await o.cache?.get(url, publicKey)) ?? null;
    if (copy === null) throw err;
    let verified;
    try {
      verified = verifyRegistry(copy, publicKey, { now, from: `last good copy of ${url}` });
    } catch (copyErr) {
      throw new Error(`${reason}; ${copyErr instanceof Error ? copyErr.message : String(copyErr)}`);
    }
    return {
      relays: toEndpoints(verified.relays),
      expiresAtMs: verified.expiresAt.getTime(),
      staleBecause: reason,
    };
  }
}

function toEndpoints(relays: DiscoveredRelay[]): RelayEndpoint[] {
  return relays.slice(0, MAX_RELAYS).map((r) => ({
    host: r.host,
    port: r.dataPort,
    ...(r.nodeId !== undefined ? { id: r.nodeId } : {}),
    ...(r.region !== undefined ? { region: r.region } : {}),
    // The signed registry's control port and certificate pin reach registration (relay-registration.ts).
    controlPort: r.controlPort,
    ...(r.certSha256 !== undefined ? { certSha256: r.certSha256 } : {}),
  }));
}
