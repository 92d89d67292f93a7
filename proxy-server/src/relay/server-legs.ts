/**
 * The relay's own leg to each game server, measured passively from the session's request/response
 * timing: each packet sent upstream queues its send time (the last 16), and each reply from the server
 * takes the oldest — exact for a server that answers every packet in order; for a game that streams at
 * its own rate it is biased (high when the server sends less than it receives, low when it sends more),
 * which the median over the last samples only softens. Kept per destination, answered to LightSpeed
 * clients that ask in a keepalive (`server-leg.ts` in shared, protocol.md §2); nothing is sent to
 * clients that do not ask.
 */
import type { ServerLegAnswer } from '@lightspeed/shared';

const RING = 16;

/** The send-time ring a session keeps (a relay `Session`, or a mesh exit session). */
export interface LegRing {
  legSends: Float64Array | null;
  legHead: number;
  legCount: number;
}

/** A packet went upstream at `now`. */
export function noteLegSend(s: LegRing, now: number): void {
  const ring = (s.legSends ??= new Float64Array(RING));
  if (s.legCount === RING) {
    s.legHead = (s.legHead + 1) % RING; // forget the oldest unanswered send
    s.legCount--;
  }
  ring[(s.legHead + s.legCount) % RING] = now;
  s.legCount++;
}

/** A reply came from the server at `now`: the sample (ms), or null when nothing was outstanding. */
export function takeLegSample(s: LegRing, now: number): number | null {
  if (s.legCount === 0 || s.legSends === null) return null;
  const sentAt = s.legSends[s.legHead]!;
  s.legHead = (s.legHead + 1) % RING;
  s.legCount--;
  return now - sentAt;
}

const SAMPLES = 32;
/** Samples older than this are forgotten. */
const MAX_AGE_MS = 5 * 60_000;
/** Destinations remembered at most; the least recently measured go first. */
const MAX_DESTINATIONS = 4096;

interface Leg {
  samples: number[];
  next: number;
  lastAt: number;
}

export class ServerLegs {
  private readonly legs = new Map<number, Leg>();

  /** One request/response sample (ms) for destination `dst` (ip * 65536 + port). */
  record(dst: number, ms: number, now: number): void {
    let leg = this.legs.get(dst);
    if (leg === undefined) {
      if (this.legs.size >= MAX_DESTINATIONS) {
        const oldest = this.legs.keys().next().value;
        if (oldest !== undefined) this.legs.delete(oldest);
      }
      leg = { samples: [], next: 0, lastAt: now };
    } else this.legs.delete(dst); // re-inserted below: Map order = least recently measured first
    if (leg.samples.length < SAMPLES) leg.samples.push(ms);
    else leg.samples[leg.next] = ms;
    leg.next = (leg.next + 1) % SAMPLES;
    leg.lastAt = now;
    this.legs.set(dst, leg);
  }

  answer(ip: number, port: number, now: number): ServerLegAnswer {
    const leg = this.legs.get(ip * 65536 + port);
    if (leg === undefined || now - leg.lastAt > MAX_AGE_MS)
      return { known: false, legUs: 0, samples: 0, ageS: 0 };
    const sorted = [...leg.samples].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return {
      known: true,
      legUs: median * 1000,
      samples: sorted.length,
      ageS: (now - leg.lastAt) / 1000,
    };
  }
}
