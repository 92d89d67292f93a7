/** Which relay a session moves to when it leaves one: the ranking with a hold-down on relays that failed. */
import { relayRef, type RelayEndpoint } from '@lightspeed/shared';

import type { RankedRelay } from './route-selector.js';

/**
 * Hysteresis: relays that failed within the hold-down come after every other candidate, so a relay that
 * flickers back to life does not pull the session back and forth. Null when there is no other relay.
 */
export function pickNext(
  ranking: readonly RankedRelay[],
  failedAt: ReadonlyMap<string, number>,
  currentId: string,
  now: number,
  holdDownMs: number,
): RankedRelay | null {
  const others = ranking.filter((r) => r.relay.id !== currentId);
  if (others.length === 0) return null;
  const fresh = others.filter((r) => {
    const at = failedAt.get(r.relay.id);
    return at === undefined || now - at > holdDownMs;
  });
  if (fresh.length > 0) return fresh[0]!;
  return [...others].sort((a, b) => (failedAt.get(a.relay.id) ?? 0) - (failedAt.get(b.relay.id) ?? 0))[0]!;
}

/** A relay as a ranking entry without probing it (a single relay: there is nothing to choose). */
export function unprobed(endpoint: RelayEndpoint): RankedRelay {
  return {
    endpoint,
    relay: relayRef(endpoint),
    sent: 0,
    received: 0,
    loss: 0,
    rttMedianMs: null,
    rttMinMs: null,
    score: 0,
    reachable: true,
  };
}
