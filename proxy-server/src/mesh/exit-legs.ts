/**
 * What an entry knows of every mesh node's leg to a game server, for a client choosing its exit (an EXITS
 * question, docs/mesh.md "Choosing the exit"): the entry asks the nodes over the mesh (LEG_QUERY) at most
 * once a second per server, and keeps their answers (LEG_ANSWER) for a few seconds. Bounded: 256 servers.
 */
export const LEG_ASK_INTERVAL_MS = 1000;
export const LEG_ANSWER_TTL_MS = 5000;
/** After asking, answers older than the question count only once this long has passed without a new one. */
export const LEG_ANSWER_WAIT_MS = 500;
const MAX_SERVERS = 256;

interface Known {
  legUs: number;
  region: string;
  at: number;
}

export class ExitLegs {
  private readonly servers = new Map<number, { askedAt: number; answers: Map<string, Known> }>();

  /** True when the nodes should be asked about `dst` now (and notes that they were). */
  shouldAsk(dst: number, now: number): boolean {
    let s = this.servers.get(dst);
    if (s === undefined) {
      if (this.servers.size >= MAX_SERVERS) {
        const oldest = this.servers.keys().next().value;
        if (oldest !== undefined) this.servers.delete(oldest);
      }
      s = { askedAt: -Infinity, answers: new Map() };
      this.servers.set(dst, s);
    }
    if (now - s.askedAt < LEG_ASK_INTERVAL_MS) return false;
    s.askedAt = now;
    return true;
  }

  /** A node's answer; ignored for a server nobody asked about. */
  record(dst: number, node: string, legUs: number, region: string, now: number): void {
    this.servers.get(dst)?.answers.set(node, { legUs, region, at: now });
  }

  /** A node's answer for `dst`: one given since the last question, else (after a wait) a recent one. */
  answer(dst: number, node: string, now: number): Known | undefined {
    const s = this.servers.get(dst);
    const a = s?.answers.get(node);
    if (s === undefined || a === undefined || now - a.at > LEG_ANSWER_TTL_MS) return undefined;
    return a.at >= s.askedAt || now - s.askedAt >= LEG_ANSWER_WAIT_MS ? a : undefined;
  }
}
