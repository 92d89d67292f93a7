/**
 * Gathers relays from every configured source: the static list, DNS pools, the signed registry, then one
 * round of peer exchange with the relays found. A failing source does not stop the others; its message is
 * returned in `errors` (a refused registry says why). Duplicates merge, keeping the most trusted details.
 */
import type { KeyObject } from 'node:crypto';

import { resolvePool, type Resolve4 } from './dns-pool.js';
import { fetchPeers } from './peer-exchange.js';
import { endpointKey, staticRelays, type DiscoverySource, type DiscoveredRelay } from './relay-endpoint.js';
import { loadRegistry } from './signed-registry.js';

export interface DiscoveryConfig {
  static?: string[];
  dnsPools?: string[];
  registry?: { location: string; publicKey: KeyObject | string };
  /** Ask up to this many discovered relays for their peers (0 = no peer exchange). */
  peerExchangeLimit?: number;
}

export interface DiscoveryResult {
  relays: DiscoveredRelay[];
  errors: string[];
}

/** Most trusted first: a signed registry entry's pin and region win over what a peer said. */
const TRUST: Record<DiscoverySource, number> = { registry: 0, static: 1, dns: 2, peer: 3 };

/** Runs every source in `cfg`; see the file comment. */
export async function discoverRelays(
  cfg: DiscoveryConfig,
  opts: { resolver?: Resolve4; now?: Date; timeoutMs?: number } = {},
): Promise<DiscoveryResult> {
  const found = new Map<string, DiscoveredRelay>();
  const errors: string[] = [];
  const add = (list: DiscoveredRelay[]): void => {
    for (const e of list) {
      const key = endpointKey(e);
      const had = found.get(key);
      if (!had) found.set(key, e);
      else if (TRUST[e.source] < TRUST[had.source]) found.set(key, { ...had, ...e });
      else found.set(key, { ...e, ...had });
    }
  };
  const attempt = async (what: () => Promise<DiscoveredRelay[]> | DiscoveredRelay[]): Promise<void> => {
    try {
      add(await what());
    } catch (err) {
      errors.push((err as Error).message);
    }
  };
  await attempt(() => staticRelays(cfg.static ?? []));
  for (const pool of cfg.dnsPools ?? []) {
    await attempt(() => resolvePool(pool, opts.resolver ? { resolver: opts.resolver } : {}));
  }
  if (cfg.registry) {
    const { location, publicKey } = cfg.registry;
    await attempt(async () => (await loadRegistry(location, publicKey, opts)).relays);
  }
  const limit = cfg.peerExchangeLimit ?? 0;
  const asked = [...found.values()].slice(0, limit);
  await Promise.all(asked.map((r) => attempt(() => fetchPeers(r, { timeoutMs: opts.timeoutMs ?? 3000 }))));
  return { relays: [...found.values()], errors };
}
