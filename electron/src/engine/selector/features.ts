/**
 * The route model's inputs, one fixed-order vector per (relay, game server) candidate. Unknown values are
 * -1 (the forest learns "unknown" as its own branch). Pure: the engine, the simulated world and the
 * evaluation all build vectors with `featureVector`.
 */
import { regionRttMs } from './regions.js';

export const FEATURE_NAMES = [
  'rtt_p50_ms',
  'rtt_p95_minus_p50_ms',
  'jitter_ms',
  'loss',
  'relay_load',
  'region_match',
  'region_rtt_ms',
  'hour',
  'history_leg_ms',
  'history_count',
  'reported_leg_ms',
  'baseline_kind',
  'baseline_leg_ms',
] as const;

/** Where a candidate's baseline leg comes from: the model predicts the correction to it. */
export const BaselineKind = { NONE: 0, REGION: 1, HISTORY: 2, REPORTED: 3 } as const;

/** Straight-line region RTT → a typical path's: routes detour. */
const REGION_DETOUR = 1.25;

/**
 * The best plain estimate of the relay → server leg: the relay's report, else the user's history on this
 * relay for this server prefix, else the distance between the relay's region and the server's estimated
 * region; null when none is known.
 */
export function baselineLeg(c: CandidateInfo): { kind: number; legMs: number } | null {
  if (c.reportedLegMs !== undefined) return { kind: BaselineKind.REPORTED, legMs: c.reportedLegMs };
  if (c.historyLegMs !== undefined) return { kind: BaselineKind.HISTORY, legMs: c.historyLegMs };
  if (c.relayRegion >= 0 && c.serverRegion >= 0)
    return {
      kind: BaselineKind.REGION,
      legMs: Math.max(1, regionRttMs(c.relayRegion, c.serverRegion)) * REGION_DETOUR,
    };
  return null;
}

/**
 * The server's region from the legs we know (reported or history): the region whose distances to those
 * relays fit the legs best (median error, so one bad peering does not move it). One leg alone only says
 * "same region" when it is short. -1 when unknown.
 */
export function estimateServerRegion(cands: readonly CandidateInfo[], regionCount: number): number {
  const known = cands.flatMap((c) => {
    const leg = c.reportedLegMs ?? c.historyLegMs;
    return leg === undefined || c.relayRegion < 0 ? [] : [{ leg, region: c.relayRegion }];
  });
  if (known.length === 0) return -1;
  if (known.length === 1) return known[0]!.leg <= 20 ? known[0]!.region : -1;
  let best = -1;
  let bestErr = Infinity;
  for (let r = 0; r < regionCount; r++) {
    const errs = known
      .map((k) => Math.abs(k.leg - Math.max(1, regionRttMs(k.region, r)) * REGION_DETOUR))
      .sort((a, b) => a - b);
    const err = errs[Math.floor((errs.length - 1) / 2)]!;
    if (err < bestErr) {
      bestErr = err;
      best = r;
    }
  }
  return best;
}

export type FeatureVector = number[];

/** What is known about one candidate relay for one game server when ranking. */
export interface CandidateInfo {
  /** Client → relay keepalive RTT samples, ms (empty when the relay did not answer). */
  rttP50Ms: number;
  rttP95Ms: number;
  jitterMs: number;
  /** 0..1 */
  loss: number;
  /** Relay load 0..1 from ServerInfo, or undefined. */
  load?: number | undefined;
  /** Index into REGIONS of the relay, -1 unknown. */
  relayRegion: number;
  /** Index into REGIONS of the server's estimated region, -1 unknown. */
  serverRegion: number;
  /** Local hour 0..23. */
  hour: number;
  /** Mean of past (end-to-end − client→relay) observations on this relay for this server prefix. */
  historyLegMs?: number | undefined;
  historyCount?: number | undefined;
  /** The relay's own measurement of its leg to the server, ms. */
  reportedLegMs?: number | undefined;
}

export function featureVector(c: CandidateInfo): FeatureVector {
  const regionKnown = c.relayRegion >= 0 && c.serverRegion >= 0;
  return [
    c.rttP50Ms,
    Math.max(0, c.rttP95Ms - c.rttP50Ms),
    c.jitterMs,
    c.loss,
    c.load ?? -1,
    regionKnown ? (c.relayRegion === c.serverRegion ? 1 : 0) : -1,
    regionKnown ? regionRttMs(c.relayRegion, c.serverRegion) : -1,
    c.hour,
    c.historyLegMs ?? -1,
    Math.min(c.historyCount ?? 0, 20),
    c.reportedLegMs ?? -1,
    baselineLeg(c)?.kind ?? BaselineKind.NONE,
    baselineLeg(c)?.legMs ?? -1,
  ];
}

/** True when the vector carries anything about the relay → server side (a leg, history or regions). */
export function hasServerSideInfo(c: CandidateInfo): boolean {
  return baselineLeg(c) !== null;
}

/** The server's /24 (IPv4) or the host name: what "the same server" means for history. */
export function serverPrefix(host: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(host);
  return m === null ? host.toLowerCase() : `${m[1]}.${m[2]}.${m[3]}.0/24`;
}
