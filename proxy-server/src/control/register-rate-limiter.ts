/**
 * Per-source-IP token bucket for control-plane registrations: `burst` registrations at once, refilled at
 * `perMinute`. Buckets that have refilled completely are forgotten so the table stays small.
 */
export interface RegisterRateLimit {
  burst: number;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Decides whether an IP may register now; see the file comment. */
export class RegisterRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly limit: RegisterRateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = limit.perMinute / 60_000;
  }

  /** Takes one registration from `ip`'s bucket; false when it is empty. */
  allow(ip: string): boolean {
    const nowMs = this.now();
    const bucket = this.buckets.get(ip) ?? { tokens: this.limit.burst, atMs: nowMs };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (nowMs - bucket.atMs) * this.refillPerMs);
    bucket.atMs = nowMs;
    if (this.buckets.size > 10_000) this.prune(nowMs);
    if (bucket.tokens < 1) {
      this.buckets.set(ip, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(ip, bucket);
    return true;
  }

  /** IPs currently tracked (for tests and metrics). */
  get tracked(): number {
    return this.buckets.size;
  }

  private prune(nowMs: number): void {
    for (const [ip, b] of this.buckets) {
      if (b.tokens + (nowMs - b.atMs) * this.refillPerMs >= this.limit.burst) this.buckets.delete(ip);
    }
  }
}
