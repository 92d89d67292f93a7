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
  /** The game server the ranking is for (resolved), when there is one: relays are asked for their leg to it. */
  server?: { host: string; address: string; port: number };
  /** A relay's load 0..1 (control plane ServerInfo), when known. */
  relayLoad?: (relayId: string) => number | undefined;
}

/** What a finished session taught: the end-to-end RTT seen through the relay that carried it. */
export interface SelectorFeedback {
  relay: RankedRelay;
  server: { host: string; port: number };
  /** Client → relay median over the session, ms. */
  rttMs: number;
  /** The relay's reported leg to the server at the end, ms. */
  legMs: number;
}

export interface RouteSelector {
  readonly name: string;
  /** Ranks relays, best first. Unreachable relays come last with score Infinity. */
  rank(relays: readonly RelayEndpoint[], context: SelectorContext): Promise<RankedRelay[]>;
  /** Why the last ranking came out as it did (e.g. a learned selector that fell back to nearest). */
  readonly note?: string | null;
  /** Learns from a finished session (a learned selector retrains; others ignore it). */
  feedback?(feedback: SelectorFeedback): Promise<void>;
}

/** A ranked relay: the probe result and the endpoint it came from. */
export interface RankedRelay extends RelayProbe {
  endpoint: RelayEndpoint;
  /** The relay's reported leg to the server, ms, when it told us. */
  serverLegMs?: number;
  /** Predicted end-to-end RTT (client → relay → server), ms, when the selector made one. */
  predictedMs?: number;
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
    const samples = await context.probe(relays, withServer(this.options, context));
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
    ...(s.serverLegMs === undefined ? {} : { serverLegMs: s.serverLegMs }),
  };
}

/** Probe options that also ask the relays for their leg to the context's server. */
export function withServer(options: ProbeOptions, context: SelectorContext): ProbeOptions {
  return context.server === undefined
    ? options
    : { ...options, server: { address: context.server.address, port: context.server.port } };
}

/** The default context: real keepalive probes. */
export const defaultSelectorContext: SelectorContext = { probe: probeRelays };
