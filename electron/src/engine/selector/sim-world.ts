/**
 * The simulated world the prior model is trained on and every selector is evaluated in (docs/
 * architecture.md, "Route selection"). Deterministic from a seed:
 *
 * - geography: the regions of `regions.ts`; a client sits in one region with an access delay of 2–15 ms;
 * - relays: one or two per region, each with its own placement offset, measurement noise (0.3–4 ms),
 *   base load and evening peak, base loss, a detour factor per server region (1.0–1.5) and, one time in
 *   four per server region, a bad peering that adds 10–60 ms on the relay → server leg: the trap that
 *   makes "nearest relay" wrong;
 * - servers: 24 per world, in a region, with a /24 prefix (history is kept per prefix);
 * - diurnal congestion: a relay's load peaks at 21:00 in its own time zone; its queueing delay grows with
 *   the cube of the load and shows on both legs; the relay → server path also slows in the server
 *   region's evening;
 * - what a client can know, by scenario class: `cold` (probes only), `history` (past sessions on some
 *   relays for this server prefix), `legs` (some relays report their own leg to the server, measured
 *   some minutes earlier) and `full` (both).
 *
 * The truth for a relay is client↔relay RTT + relay queue + relay↔server RTT at that hour.
 */
import { Prng, deriveSeed } from '@lightspeed/shared/node';

import { estimateServerRegion, type CandidateInfo } from './features.js';
import { REGIONS, regionRttMs } from './regions.js';

export const SCENARIO_CLASSES = ['cold', 'history', 'legs', 'full'] as const;
export type ScenarioClass = (typeof SCENARIO_CLASSES)[number];

export interface SimRelay {
  id: string;
  region: number;
  offsetMs: number;
  noiseMs: number;
  baseLoad: number;
  peakLoad: number;
  lossBase: number;
  /** Per server region: multiplier on the straight-line leg. */
  detour: number[];
  /** Per server region: extra ms from a bad peering (0 for most). */
  peeringMs: number[];
}

export interface SimServer {
  region: number;
  offsetMs: number;
  prefix: string;
}

export interface SimClient {
  region: number;
  accessMs: number;
  /** Per relay: multiplier on the client → relay path. */
  detour: number[];
}

export interface SimWorld {
  seed: number;
  relays: SimRelay[];
  servers: SimServer[];
  clients: SimClient[];
}

export interface SimCandidate {
  info: CandidateInfo;
  /** The truth: end-to-end RTT through this relay, ms. */
  trueMs: number;
  relay: number;
}

export interface SimScenario {
  cls: ScenarioClass;
  day: number;
  hour: number;
  candidates: SimCandidate[];
}

const gauss = (rng: Prng): number => {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
};
const pick = <T>(rng: Prng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

export function makeWorld(seed: number): SimWorld {
  const rng = new Prng(deriveSeed(seed, 1));
  const nRegions = REGIONS.length;
  const relays: SimRelay[] = [];
  for (let region = 0; region < nRegions; region++) {
    const n = rng.chance(0.4) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      relays.push({
        id: `${REGIONS[region]!.code}-${k + 1}`,
        region,
        offsetMs: rng.between(0, 4),
        noiseMs: rng.between(0.3, 4),
        baseLoad: rng.between(0.05, 0.5),
        peakLoad: rng.between(0.05, 0.45),
        lossBase: rng.chance(0.2) ? rng.between(0.005, 0.03) : rng.between(0, 0.004),
        detour: REGIONS.map(() => rng.between(1, 1.5)),
        peeringMs: REGIONS.map(() => (rng.chance(0.25) ? rng.between(10, 60) : 0)),
      });
    }
  }
  const servers: SimServer[] = [];
  for (let i = 0; i < 24; i++) {
    servers.push({
      region: Math.floor(rng.next() * nRegions),
      offsetMs: rng.between(0, 6),
      prefix: `10.${seed & 0xff}.${i}.0/24`,
    });
  }
  const clients: SimClient[] = [];
  for (let i = 0; i < 6; i++) {
    clients.push({
      region: Math.floor(rng.next() * nRegions),
      accessMs: rng.between(2, 15),
      detour: relays.map(() => rng.between(1, 1.3)),
    });
  }
  return { seed, relays, servers, clients };
}

/** Relay load 0..1 at UTC hour `hour` (peaks at 21:00 relay time). */
export function relayLoad(r: SimRelay, hour: number): number {
  const local = (hour + REGIONS[r.region]!.utcOffset + 24) % 24;
  return clamp01(r.baseLoad + r.peakLoad * Math.max(0, Math.cos(((local - 21) / 24) * 2 * Math.PI)));
}

function queueMs(r: SimRelay, hour: number): number {
  return 25 * relayLoad(r, hour) ** 3;
}

function clientRelayMs(c: SimClient, r: SimRelay, ri: number): number {
  return 2 * c.accessMs + Math.max(1, regionRttMs(c.region, r.region)) * c.detour[ri]! + r.offsetMs;
}

function relayServerMs(r: SimRelay, s: SimServer, hour: number): number {
  const local = (hour + REGIONS[s.region]!.utcOffset + 24) % 24;
  const evening = 4 * Math.max(0, Math.cos(((local - 20) / 24) * 2 * Math.PI));
  return (
    Math.max(1, regionRttMs(r.region, s.region)) * r.detour[s.region]! +
    r.peeringMs[s.region]! +
    s.offsetMs +
    evening
  );
}

/** One ranking decision: a client, a server, an hour, and what the client could measure and know. */
export function makeScenario(world: SimWorld, rng: Prng, day: number, cls: ScenarioClass): SimScenario {
  const client = pick(rng, world.clients);
  // Players mostly play on servers near them, sometimes far away.
  const near = world.servers.filter((s) => s.region === client.region);
  const server = near.length > 0 && rng.chance(0.4) ? pick(rng, near) : pick(rng, world.servers);
  const hour = Math.floor(rng.next() * 24);
  const withHistory = cls === 'history' || cls === 'full';
  const withLegs = cls === 'legs' || cls === 'full';
  const candidates = world.relays.map((r, ri): SimCandidate => {
    const cr = clientRelayMs(client, r, ri);
    const q = queueMs(r, hour);
    const rs = relayServerMs(r, server, hour);
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      const spike = rng.chance(0.05) ? rng.between(5, 40) : 0;
      samples.push(cr + q + Math.abs(gauss(rng)) * r.noiseMs + spike);
    }
    samples.sort((a, b) => a - b);
    let lost = 0;
    const lossP = r.lossBase + 0.02 * relayLoad(r, hour);
    for (let i = 0; i < 10; i++) if (rng.chance(lossP)) lost++;
    let jitter = 0;
    for (let i = 1; i < samples.length; i++) jitter += Math.abs(samples[i]! - samples[i - 1]!);
    const info: CandidateInfo = {
      rttP50Ms: samples[4]!,
      rttP95Ms: samples[9]!,
      jitterMs: jitter / (samples.length - 1),
      loss: lost / 10,
      load: rng.chance(0.7) ? clamp01(relayLoad(r, hour) + gauss(rng) * 0.05) : undefined,
      relayRegion: rng.chance(0.9) ? r.region : -1,
      serverRegion: -1,
      hour,
    };
    if (withHistory && rng.chance(0.5)) {
      const n = 1 + Math.floor(rng.next() * 10);
      const pastHour = Math.floor(rng.next() * 24);
      info.historyLegMs =
        relayServerMs(r, server, pastHour) + queueMs(r, pastHour) * 0.5 + (gauss(rng) * 3) / Math.sqrt(n);
      info.historyCount = n;
    }
    if (withLegs && rng.chance(0.6)) {
      const staleHour = (hour + 23) % 24;
      info.reportedLegMs = Math.max(
        0.1,
        relayServerMs(r, server, rng.chance(0.5) ? hour : staleHour) + gauss(rng) * 1.5,
      );
    }
    return { info, trueMs: cr + q + rs, relay: ri };
  });
  const est = estimateServerRegion(
    candidates.map((c) => c.info),
    REGIONS.length,
  );
  for (const c of candidates) c.info.serverRegion = est;
  return { cls, day, hour, candidates };
}

/** `count` scenarios per world and day, classes in rotation, from `seed`. */
export function scenarios(
  worlds: readonly SimWorld[],
  days: readonly number[],
  perDay: number,
  seed: number,
): SimScenario[] {
  const out: SimScenario[] = [];
  for (const w of worlds) {
    for (const day of days) {
      const rng = new Prng(deriveSeed(seed ^ w.seed, day));
      for (let i = 0; i < perDay; i++) {
        out.push(makeScenario(w, rng, day, SCENARIO_CLASSES[i % SCENARIO_CLASSES.length]!));
      }
    }
  }
  return out;
}
