/**
 * Keepalive bookkeeping for one relay: our own sequence → send-time table (deployed relays answer with
 * their own timestamp, so RTT must come from what we remember), misses, and RTT samples.
 */
export interface KeepaliveVerdicts {
  /** Keepalives answered in time since the last `takeInterval()`. */
  answered: number;
  /** Keepalives judged lost since the last `takeInterval()`. */
  missed: number;
  /** RTT samples (ms) since the last `takeInterval()`. */
  rtts: number[];
}

/** Verdicts kept for `windowLoss`: 20 keepalives, 10 s at the default 500 ms interval. */
export const KEEPALIVE_LOSS_WINDOW = 20;

export class KeepaliveTracker {
  private seq = 0;
  /** Last verdicts, oldest overwritten first: 1 = missed, 0 = answered. */
  private readonly verdicts = new Uint8Array(KEEPALIVE_LOSS_WINDOW);
  private verdictCount = 0;
  private verdictMisses = 0;
  private readonly pending = new Map<number, number>();
  private interval: KeepaliveVerdicts = { answered: 0, missed: 0, rtts: [] };
  /** Keepalives in a row that went unanswered; any reply, even a late one, resets it. */
  consecutiveMisses = 0;
  /** Smoothed RTT (ms), null before the first reply. */
  srttMs: number | null = null;
  lastRttMs: number | null = null;
  /** RTT-based jitter (ms), RFC 3550 smoothing; used when no data flows. */
  rttJitterMs = 0;
  sent = 0;
  answered = 0;

  /** Allocates the next sequence number and remembers when it left. */
  next(nowMs: number): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    this.pending.set(seq, nowMs);
    this.sent++;
    return seq;
  }

  /** A keepalive reply arrived. Returns its RTT (ms), or null when it answers nothing we sent. */
  onReply(seq: number, nowMs: number): number | null {
    const sentAt = this.pending.get(seq);
    this.consecutiveMisses = 0;
    if (sentAt === undefined) return null;
    this.pending.delete(seq);
    const rtt = nowMs - sentAt;
    if (this.lastRttMs !== null) this.rttJitterMs += (Math.abs(rtt - this.lastRttMs) - this.rttJitterMs) / 16;
    this.lastRttMs = rtt;
    this.srttMs = this.srttMs === null ? rtt : this.srttMs + (rtt - this.srttMs) / 8;
    this.interval.answered++;
    this.interval.rtts.push(rtt);
    this.record(0);
    this.answered++;
    return rtt;
  }

  /** Judges keepalive `seq` lost if it is still unanswered. Returns true when it was. */
  expire(seq: number): boolean {
    if (!this.pending.delete(seq)) return false;
    this.consecutiveMisses++;
    this.interval.missed++;
    this.record(1);
    return true;
  }

  /**
   * Fraction (0..1) of the last KEEPALIVE_LOSS_WINDOW judged keepalives that went unanswered: a per-second
   * count of two keepalives would swing between 0 and 50%.
   */
  get windowLoss(): number {
    const n = Math.min(this.verdictCount, KEEPALIVE_LOSS_WINDOW);
    return n === 0 ? 0 : this.verdictMisses / n;
  }

  /** Keepalives behind `windowLoss` (at most KEEPALIVE_LOSS_WINDOW). */
  get judged(): number {
    return Math.min(this.verdictCount, KEEPALIVE_LOSS_WINDOW);
  }

  private record(missed: 0 | 1): void {
    const slot = this.verdictCount % KEEPALIVE_LOSS_WINDOW;
    if (this.verdictCount >= KEEPALIVE_LOSS_WINDOW) this.verdictMisses -= this.verdicts[slot]!;
    this.verdicts[slot] = missed;
    this.verdictMisses += missed;
    this.verdictCount++;
  }

  /** Returns and resets the per-interval verdicts. */
  takeInterval(): KeepaliveVerdicts {
    const out = this.interval;
    this.interval = { answered: 0, missed: 0, rtts: [] };
    return out;
  }
}
