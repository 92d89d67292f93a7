/**
 * Where a new flow's v3 repair rate starts. Without this each game socket's flow starts blind (the 1%
 * guess) until the relay's first loss reports, 50–200 ms in, although the engine often knows better: the
 * flows to the same relay have estimates the relay's reports taught them, and the keepalives have been
 * measuring the relay link's loss since it opened. Pure.
 */
import type { FecEstimate } from '@lightspeed/shared';

/** Keepalive verdicts needed before their loss says anything (5 s at the default 500 ms interval). */
export const KEEPALIVE_SEED_MIN = 10;

export interface SeedSources {
  /** Estimates of the flows to this relay still open (null: not v3, or no report yet). */
  live: readonly (FecEstimate | null)[];
  /** The last estimate of a flow to this relay that has closed. */
  closed: FecEstimate | null;
  /** The keepalives' round-trip loss over their window, and how many verdicts it holds. */
  keepalive: { loss: number; judged: number };
}

/**
 * The estimate a new flow starts from: the flow estimate with the most datagrams behind it (open flows
 * first, then the last closed one), else the keepalives' round-trip loss as a one-way loss (1 − √(1 − q), the
 * two directions taken alike) weighed like the 1% guess; null when nothing is known yet.
 */
export function fecSeed(s: SeedSources): FecEstimate | null {
  let best: FecEstimate | null = null;
  for (const e of [...s.live, s.closed]) if (e && (best === null || e.datagrams > best.datagrams)) best = e;
  if (best !== null) return best;
  const { loss, judged } = s.keepalive;
  if (judged < KEEPALIVE_SEED_MIN || !(loss >= 0 && loss <= 1)) return null;
  return { loss: 1 - Math.sqrt(1 - loss), meanBurst: 1, datagrams: 0 };
}
