/**
 * Session creation per source IP: a token bucket per address (`burst` sessions at once, refilled at
 * `ratePerS`). A session costs a socket, so a source that churns sessions (garbage, FIN floods, reconnect
 * loops) is held to this rate however many ports it uses. Buckets that have refilled are forgotten, so the
 * map holds only sources that created sessions in the last burst / rate seconds.
 */
export class SessionCreationLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    /** Most sources tracked at once; beyond it (after pruning), creations are refused. */
    private readonly maxTracked = 65_536,
  ) {}

  /** Takes one creation for `ip` at `now` (ms); false when the source is over its rate. */
  tryTake(ip: string, now: number): boolean {
    let b = this.buckets.get(ip);
    if (b === undefined) {
      if (this.buckets.size >= this.maxTracked) {
        this.prune(now);
        if (this.buckets.size >= this.maxTracked) return false;
      }
      b = { tokens: this.burst, at: now };
      this.buckets.set(ip, b);
    } else if (now > b.at) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.ratePerS) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets sources whose bucket is full again (they behave like a new source). */
  prune(now: number): void {
    for (const [ip, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.ratePerS) / 1000 >= this.burst) this.buckets.delete(ip);
    }
  }

  /** Sources currently tracked. */
  get tracked(): number {
    return this.buckets.size;
  }
}
