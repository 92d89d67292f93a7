/**
 * Relay ranking. `RouteSelector` is the seam for smarter selectors (a learned model later); the engine
 * only needs a ranked list and fails over down it.
 */
import type { RelayEndpoint, RelayProbe } from '@lightspeed/shared';

import { median } from './percentile.js';
import { probeRelays, type ProbeOptions, type ProbeSample } from './relay-prober.js';

export interface SelectorContext {
  /** Probes relays with keepalives (the engine's prober). */
  probe(relays: readonly RelayEndpoint[], options?: ProbeOptions): Promise<ProbeSample[]>;
  gameId?: number;
}

export interface RouteSelector {
  readonly name: string;
  /** Ranks relays, best first. Unreachable relays come last with score Infinity. */
  rank(relays: readonly RelayEndpoint[], context: SelectorContext): Promise<RankedRelay[]>;
}

/** A ranked relay: the probe result and the endpoint it came from. */
export interface RankedRelay extends RelayProbe {
  endpoint: RelayEndpoint;
}

export interface NearestSelectorOptions extends ProbeOptions {
  /** Milliseconds added per unit of loss: 500 makes 5% loss cost as much as 25 ms of RTT. */
  lossPenaltyMs?: number;
}

/** Ranks by median keepalive RTT plus a loss penalty. */
export class NearestSelector implements RouteSelector {
  readonly name = 'nearest';
  constructor(private readonly options: NearestSelectorOptions = {}) {}

  async rank(relays: readonly RelayEndpoint[], context: SelectorContext): Promise<RankedRelay[]> {
    const samples = await context.probe(relays, this.options);
    const penalty = this.options.lossPenaltyMs ?? 500;
    return (
      samples
        .map((s) => scoreSample(s, penalty))
        .map((r, i) => ({ r, i }))
        // Stable: equal scores keep the configured order, so the user's first relay wins ties.
        .sort((a, b) => a.r.score - b.r.score || a.i - b.i)
        .map(({ r }) => r)
    );
  }
}

/** Turns raw probe RTTs into a RelayProbe with the nearest-relay score. */
export function scoreSample(s: ProbeSample, lossPenaltyMs: number): RankedRelay {
  const received = s.rtts.length;
  const loss = s.sent === 0 ? 1 : 1 - received / s.sent;
  const med = received === 0 ? null : median(s.rtts);
  const min = received === 0 ? null : Math.min(...s.rtts);
  return {
    endpoint: s.endpoint,
    relay: s.relay,
    sent: s.sent,
    received,
    loss,
    rttMedianMs: med,
    rttMinMs: min,
    score: med === null ? Infinity : med + lossPenaltyMs * loss,
    reachable: received > 0,
  };
}

/** The default context: real keepalive probes. */
export const defaultSelectorContext: SelectorContext = { probe: probeRelays };
