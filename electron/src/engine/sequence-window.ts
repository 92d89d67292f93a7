/**
 * Tracks a peer's u16 sequence numbers: which ones arrived (for loss from gaps) and which are repeats
 * (duplicates on the path). Sequences are extended to a running counter so wraparound is seamless.
 */
const WINDOW = 1024;

export type SequenceVerdict = 'new' | 'duplicate' | 'stale';

export class SequenceWindow {
  private highest = -1;
  private readonly seen = new Uint8Array(WINDOW);
  /** Packets the sender has sent so far, judging by the highest sequence seen. */
  expected = 0;
  /** Distinct packets received. */
  received = 0;

  /** Records `seq` and says whether it is new, a repeat, or too old to tell. */
  observe(seq: number): SequenceVerdict {
    if (this.highest < 0) {
      this.highest = seq;
      this.seen[seq % WINDOW] = 1;
      this.expected = 1;
      this.received = 1;
      return 'new';
    }
    const delta = ((seq - (this.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    if (delta > 0) {
      if (delta >= WINDOW) this.seen.fill(0);
      else for (let i = 1; i <= delta; i++) this.seen[(this.highest + i) % WINDOW] = 0;
      this.highest += delta;
      this.seen[this.highest % WINDOW] = 1;
      this.expected += delta;
      this.received++;
      return 'new';
    }
    if (-delta >= WINDOW) return 'stale';
    const slot = (this.highest + delta + WINDOW * 64) % WINDOW;
    if (this.seen[slot]) return 'duplicate';
    this.seen[slot] = 1;
    this.received++;
    return 'new';
  }
}
