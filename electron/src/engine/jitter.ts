import { diffUs32 } from './clock.js';

/**
 * RFC 3550 §6.4.1 interarrival jitter from the sender's timestamps. Relays stamp replies with their own
 * clock, so only differences of transit times matter and the clock offset cancels out.
 */
export class JitterEstimator {
  private prevTransitUs: number | null = null;
  private jitterUs = 0;

  /** Feeds one packet: `sentUs` from its header, `arrivedUs` from our clock (both wrapping u32). */
  observe(sentUs: number, arrivedUs: number): void {
    const transit = diffUs32(arrivedUs, sentUs);
    if (this.prevTransitUs !== null) {
      const d = Math.abs(transit - this.prevTransitUs);
      // A jump of more than 10 s is a clock reset on the relay, not network jitter.
      if (d < 10_000_000) this.jitterUs += (d - this.jitterUs) / 16;
    }
    this.prevTransitUs = transit;
  }

  /** Current estimate in milliseconds. */
  get ms(): number {
    return this.jitterUs / 1000;
  }
}
