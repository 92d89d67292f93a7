/**
 * Adaptive repair rate for v3: how many repairs follow each source packet, from the loss the peer reports
 * for this direction, its burstiness and the packet rate, within the budget of the user's setting.
 *
 *   need  = p / (1 − p)                 repairs per source just to replace what the link loses
 *   r     = GAIN · need · (1 + BURST · (mean burst − 1)) + FLOOR
 *   r    ≥ interval / MAX_WAIT_MS        when p ≥ 0.2%: a lost packet never waits long for a repair
 *   r    ≤ budget(p)                     balanced: 0.24 + 25 (p − 1%) within 0.2..1;
 *                                        strong: 0.5 + 40 (p − 1.3%) within 0.5..2
 *
 * Balanced is sized to the byte targets: 0.24 repairs per source at 1% loss (about 1.26× the bytes of FEC
 * off with 200-byte packets, under 1.3×), one per source from 4% up (under 2×). Until the first report
 * arrives the sender spends the budget of the assumed loss: 1%, or a seed — what the engine already knows
 * of the path (the previous flow's estimate to the same relay, the keepalives' loss), weighed as the
 * datagrams behind it; the first reports come early (see `FecLink`), so start-up costs little.
 * Strong multiplies both lower bounds by 1.5 (and has the larger budget).
 * The budget is repairs per source, which is the byte overhead when repairs are as long as sources.
 * Repairs are paced by a credit: each source adds r, each repair spends 1, so they leave right after the
 * source packet that completes a credit. Pure: time is passed in.
 */
import type { FecBudget } from './fec-negotiation.js';
import type { V3Report } from './fec-v3-report.js';

export const RATE_TUNING = {
  GAIN: 2,
  BURST: 0.8,
  FLOOR: 0.04,
  MAX_WAIT_MS: 7.5,
  /** Strong asks 1.5× of both terms (and has the larger budget). */
  STRONG: 1.5,
  /** Loss assumed before the first report: protective without being wasteful. */
  INITIAL_LOSS: 0.01,
  /** Datagrams of memory of the loss estimate once it has settled. */
  MEMORY: 1000,
  /** What the start-up guess weighs against the first reports, in datagrams. */
  PRIOR: 100,
};

/** What a sender already knows of its direction before the first report (`RepairRate.estimate`). */
export interface FecEstimate {
  /** Loss, 0..1. */
  loss: number;
  /** Mean burst length (1 for iid). */
  meanBurst: number;
  /** Datagrams behind it: how much the first reports must outweigh (0 weighs like the 1% guess). */
  datagrams: number;
}

export function budgetCap(budget: FecBudget, p: number): number {
  const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
  return budget === 'strong' ? clamp(0.5 + 40 * (p - 0.013), 0.5, 2) : clamp(0.24 + 25 * (p - 0.01), 0.2, 1);
}

export class RepairRate {
  private loss = RATE_TUNING.INITIAL_LOSS;
  private meanBurst = 1;
  private intervalMs = 1000 / 128;
  private lastSourceMs = -1;
  private credit = 0;
  private reports = 0;
  /** Datagrams reported so far. */
  private counted = 0;

  /** `seed` replaces the 1% start-up guess (see `FecEstimate`). */
  constructor(
    private budget: FecBudget,
    seed?: FecEstimate | null,
  ) {
    if (seed) this.seed(seed);
  }

  /** Starts from `seed` instead of the 1% guess; ignored once a report has been folded in. */
  seed(seed: FecEstimate): void {
    if (this.reports > 0 || !(seed.loss >= 0 && seed.loss <= 1)) return;
    this.loss = seed.loss;
    this.meanBurst = Math.max(1, Math.min(16, Number.isFinite(seed.meanBurst) ? seed.meanBurst : 1));
    this.counted = Math.max(0, Math.min(RATE_TUNING.MEMORY, Math.floor(seed.datagrams) || 0));
  }

  /** What this sender knows of its direction, for a later one to start from; null before any report. */
  estimate(): FecEstimate | null {
    if (this.reports === 0) return null;
    return {
      loss: this.loss,
      meanBurst: this.meanBurst,
      datagrams: Math.min(this.counted, RATE_TUNING.MEMORY),
    };
  }

  setBudget(budget: FecBudget): void {
    this.budget = budget;
  }

  /** Loss estimate for this direction (0..1). */
  get estimatedLoss(): number {
    return this.loss;
  }

  get estimatedBurst(): number {
    return this.meanBurst;
  }

  /**
   * Folds a peer report in: the running loss of every datagram reported so far, with the start-up guess
   * counted as 100 datagrams, until 1000 are behind it; from then on a moving average over about the last
   * 1000. A short memory would not do: at 1% a 100-datagram report sees no loss a third of the time, and a
   * few such reports would drop the rate to a repair every 20 packets (a loss then waits that long). A report
   * whose loss is well above the estimate (three standard deviations and two more) moves it halfway at
   * once, so loss that starts is met within a report.
   */
  onReport(r: V3Report): void {
    const total = r.received + r.lost;
    if (total === 0) return;
    const t = RATE_TUNING;
    const sample = r.lost / total;
    const expected = this.loss * total;
    const jump = r.lost > expected + 3 * Math.sqrt(expected) + 2;
    const behind = Math.min(this.counted, t.MEMORY) + t.PRIOR;
    const weight = jump ? 0.5 : Math.min(0.5, total / (total + behind));
    this.counted += total;
    this.reports++;
    this.loss += weight * (sample - this.loss);
    if (r.bursts > 0) {
      const mean = Math.max(1, Math.min(16, r.lost / r.bursts));
      this.meanBurst += Math.min(0.5, r.bursts / 20) * (mean - this.meanBurst);
    }
  }

  /** Repairs per source packet now. */
  ratio(): number {
    const t = RATE_TUNING;
    const p = Math.min(0.6, this.loss);
    const s = this.budget === 'strong' ? t.STRONG : 1;
    let r = s * t.GAIN * (p / (1 - p)) * (1 + t.BURST * (this.meanBurst - 1)) + t.FLOOR;
    if (p >= 0.002) r = Math.max(r, (s * this.intervalMs) / t.MAX_WAIT_MS);
    // Blind until the first report: spend the budget the assumed (or seeded) loss allows.
    if (this.reports === 0) r = budgetCap(this.budget, p);
    return Math.min(r, budgetCap(this.budget, p));
  }

  /** Called for each source packet sent: how many repairs follow it. */
  afterSource(nowMs: number): number {
    if (this.lastSourceMs >= 0) {
      const gap = Math.min(1000, Math.max(0, nowMs - this.lastSourceMs));
      this.intervalMs += 0.1 * (gap - this.intervalMs);
    }
    this.lastSourceMs = nowMs;
    this.credit = Math.min(2, this.credit + this.ratio());
    let n = 0;
    while (this.credit >= 1 && n < 2) {
      this.credit -= 1;
      n++;
    }
    return n;
  }
}
