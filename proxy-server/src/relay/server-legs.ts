/**
 * The relay's own leg to each game server, measured passively: a session notes when it sends the first
 * packet since the server last answered, and the server's next reply closes the sample (request/response
 * timing; for a server that answers every packet, its RTT; for a game streaming both ways, a lower bound
 * that the median keeps honest). Kept per destination over the last samples, answered to LightSpeed
 * clients that ask in a keepalive (`server-leg.ts` in shared, protocol.md §2); nothing is sent to
 * clients that do not ask.
 */
import type { ServerLegAnswer } from '@lightspeed/shared';

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
