import type { LsaEntry } from './mesh-frame.js';

/** EWMA weight of a new sample. */
export const EWMA_ALPHA = 0.2;
/** Route cost of a link: RTT (ms) + LOSS_PENALTY_MS × loss fraction (10% loss costs as much as 50 ms). */
export const LOSS_PENALTY_MS = 500;

/** One direct link's measurements (this node to a peer). */
export class LinkEstimate {
  /** EWMA of RTT, ms; -1 before the first PONG. */
  rttMs = -1;
  /** EWMA of loss, 0..1. */
  loss = 0;
  lastPong = -Infinity;
  pingsSent = 0;
  pongs = 0;

  sample(rttMs: number, now: number): void {
    this.rttMs = this.rttMs < 0 ? rttMs : this.rttMs + EWMA_ALPHA * (rttMs - this.rttMs);
    this.loss += EWMA_ALPHA * (0 - this.loss);
    this.lastPong = now;
    this.pongs++;
  }

  /** A PING went unanswered for a whole probe interval. */
  missed(): void {
    this.loss += EWMA_ALPHA * (1 - this.loss);
  }

  /**
   * Up while a PONG came within `deadProbes(loss)` probe intervals: 3 on a clean link, more on a lossy one,
   * so that a run of lost probes long enough to call the link down has odds below one in a million.
   */
  up(now: number, intervalMs: number): boolean {
    return this.rttMs >= 0 && now - this.lastPong <= intervalMs * deadProbes(this.loss);
  }
}

/** Probes without a PONG before a link is down, for a measured (round-trip) loss: 3..10. */
export function deadProbes(loss: number): number {
  if (loss <= 0.01) return 3;
  return Math.min(10, Math.max(3, Math.ceil(Math.log(1e-6) / Math.log(Math.min(loss, 0.99)))));
}

export function linkCost(rttMs: number, loss: number): number {
  return Math.max(0, rttMs) + LOSS_PENALTY_MS * loss;
}

/** A node's advertised links, as flooded. */
export interface NodeLinks {
  lsaSeq: number;
  receivedAt: number;
  entries: LsaEntry[];
}

/**
 * Shortest paths from `self` over the matrix. A link is used only when both ends advertise it (a one-sided
 * advertisement is a half-dead link); its cost is the larger of the two ends' costs. Returns, for each
 * reachable node, the path [self, …, node] and its cost.
 */
export function shortestPaths(
  self: string,
  matrix: ReadonlyMap<string, readonly LsaEntry[]>,
): Map<string, { path: string[]; cost: number }> {
  const costOf = (a: string, b: string): number | null => {
    const ab = matrix.get(a)?.find((e) => e.peer === b);
    const ba = matrix.get(b)?.find((e) => e.peer === a);
    if (ab === undefined || ba === undefined) return null;
    return Math.max(
      linkCost(ab.rttUs / 1000, ab.lossBp / 10000),
      linkCost(ba.rttUs / 1000, ba.lossBp / 10000),
    );
  };
  const dist = new Map<string, number>([[self, 0]]);
  const prev = new Map<string, string>();
  const done = new Set<string>();
  // Meshes are small (tens of nodes): a linear scan for the minimum is simpler than a heap and fast enough.
  for (;;) {
    let u: string | null = null;
    let best = Infinity;
    for (const [n, d] of dist) {
      // Ties break by node id so every node computes the same routes from the same matrix.
      if (!done.has(n) && (d < best || (d === best && u !== null && n < u))) {
        u = n;
        best = d;
      }
    }
    if (u === null) break;
    done.add(u);
    for (const e of matrix.get(u) ?? []) {
      if (done.has(e.peer)) continue;
      const c = costOf(u, e.peer);
      if (c === null) continue;
      const alt = best + c;
      const cur = dist.get(e.peer);
      if (cur === undefined || alt < cur) {
        dist.set(e.peer, alt);
        prev.set(e.peer, u);
      }
    }
  }
  const out = new Map<string, { path: string[]; cost: number }>();
  for (const [node, cost] of dist) {
    const path = [node];
    for (let p = prev.get(node); p !== undefined; p = prev.get(p)) path.unshift(p);
    out.set(node, { path, cost });
  }
  return out;
}
