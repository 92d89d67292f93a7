/**
 * A lower bound on the recovery delay that ANY erasure code can reach under iid loss within a byte budget,
 * whatever its repair schedule — to read the delay target against the byte targets.
 *
 * A lost source can be rebuilt only from a repair sent after it (causality) that arrives. Say the sender
 * puts a_i repairs right after source i (sending one later only makes every wait longer), at most ρ per
 * source on average. A loss at i still waits k packet intervals or more when every repair after sources
 * i … i+k−1 is lost: probability p^(S_i), S_i = a_i + … + a_{i+k−1}. Losses fall on sources uniformly and
 * independently of the schedule, and S_i averages kρ over i, so by Jensen on the convex hull of s ↦ p^s
 * over the integers (linear between them):
 *
 *   P(wait ≥ k intervals) ≥ h(kρ),   h(x) = p^⌊x⌋ · (1 − {x}) + p^⌈x⌉ · {x}
 *
 * (for x < 1: 1 − x + x·p — the share of sources no repair follows at all). The p-quantile of the delay is
 * therefore at least k·interval for the largest k with h(kρ) > 1 − q. It ignores that several losses need
 * several repairs, so real codes sit above it; it is a bound, not an estimate.
 *
 * ρ from bytes: sources cost at least what FEC off sends (payload + its header) and a repair at least the
 * payload, so a budget of B× FEC off buys at most ρ = (B − 1)(payload + header) / payload repairs per source.
 */

/** Most repairs per source a byte budget of `bytesVsOff`× FEC off allows, for any code. */
export function repairBudget(bytesVsOff: number, payload: number, offHeader = 20): number {
  return Math.max(0, ((bytesVsOff - 1) * (payload + offHeader)) / payload);
}

/** h(kρ): the least share of losses that still wait k intervals or more. */
export function waitAtLeast(loss: number, repairsPerSource: number, k: number): number {
  const x = k * repairsPerSource;
  const lo = Math.floor(x);
  const f = x - lo;
  return loss ** lo * (1 - f) + loss ** (lo + 1) * f;
}

export interface DelayBoundScenario {
  loss: number;
  repairsPerSource: number;
  /** Weight when pooling scenarios: their expected number of losses (e.g. the loss rate). */
  weight?: number;
}

/**
 * The least q-quantile (0.99: p99) of the recovery delay, in ms, any code can reach: pooled over the
 * scenarios (losses weighted by `weight`) when several are given.
 */
export function delayLowerBoundMs(scenarios: DelayBoundScenario[], intervalMs: number, q = 0.99): number {
  const total = scenarios.reduce((a, s) => a + (s.weight ?? 1), 0);
  let k = 0;
  for (;;) {
    const next = k + 1;
    const share = scenarios.reduce(
      (a, s) => a + ((s.weight ?? 1) / total) * waitAtLeast(s.loss, s.repairsPerSource, next),
      0,
    );
    if (share <= 1 - q || next > 10_000) break;
    k = next;
  }
  return k * intervalMs;
}
