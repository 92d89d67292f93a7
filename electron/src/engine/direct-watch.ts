/**
 * "Without LightSpeed X ms → with Y ms", measured during a session: a round of a few light request probes
 * (diagnose's, path-probe.ts) to the game server directly and the same through the relay in use, at the
 * start and then every 30 s. Both paths are measured the same way at the same moment, so the difference is
 * what the relay buys; the session summary takes the medians over the rounds.
 *
 * Probes go only to the game server being boosted (directly, and through the relay carrying the session).
 * Many game servers answer nothing to a datagram they do not understand: after two silent rounds the watch
 * stops and says "not measured" instead of guessing (a relay's leg plus the client → relay RTT is the
 * boosted path, but nothing about the direct one, so it is not used in its place).
 */
import type { DirectComparison, RelayEndpoint, WarpState } from '@lightspeed/shared';

import { probePath, type DiagnoseOptions, type PathResult } from './diagnose/path-probe.js';
import { detectWarp } from './diagnose/warp.js';
import { median } from './percentile.js';
import type { ResolvedEndpoint } from './resolve.js';

export interface DirectWatchOptions {
  server: ResolvedEndpoint;
  /** `host:port` as the user gave it. */
  label: string;
  /** The relay carrying the session now (with its token), or null between relays. */
  relay: () => { id: string; endpoint: RelayEndpoint } | null;
  /** Default 30 s. */
  everyMs?: number;
  /** Probes per path per round (default 5, 40 ms apart). */
  probe?: DiagnoseOptions;
  /** Default `warp-cli status`. */
  warp?: () => Promise<WarpState>;
  onUpdate: (c: DirectComparison) => void;
}

/** Silent rounds in a row after which the server is taken not to answer light probes. */
const SILENT_ROUNDS = 2;

export class DirectWatch {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running = false;
  private silent = 0;
  private warp: WarpState | null = null;
  private readonly directSamples: number[] = [];
  private readonly boostedSamples: number[] = [];
  /** The latest comparison (null before the first round ends). */
  latest: DirectComparison | null = null;

  constructor(private readonly o: DirectWatchOptions) {}

  start(): void {
    this.o.onUpdate(this.comparison('measuring', null, null, null, 'measuring the direct path…'));
    void this.round();
    this.timer = setInterval(() => void this.round(), this.o.everyMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The session's medians for its summary (direct-watch's part of it). */
  totals(): { directMs: number | null; boostedMs: number | null; note?: string } {
    const directMs = this.directSamples.length === 0 ? null : median(this.directSamples);
    const boostedMs = this.boostedSamples.length === 0 ? null : median(this.boostedSamples);
    if (directMs !== null && boostedMs !== null) return { directMs, boostedMs };
    if (directMs !== null)
      return { directMs, boostedMs, note: 'not measured: the relay path got no answer to the probe' };
    return { directMs, boostedMs, note: this.latest?.note ?? 'the direct path was not measured' };
  }

  /** One round: both paths at once (exported for tests; the timer calls it). */
  async round(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const relay = this.o.relay();
      const probe = { count: 5, spacingMs: 40, timeoutMs: 1000, ...this.o.probe };
      const [direct, boosted, warp] = await Promise.all([
        probePath(this.o.server, null, probe),
        relay === null ? Promise.resolve(null) : probePath(this.o.server, relay.endpoint, probe),
        this.warp === null ? (this.o.warp ?? detectWarp)().catch(() => null) : Promise.resolve(this.warp),
      ]);
      if (this.stopped) return;
      this.warp = warp === null ? null : { installed: warp.installed, connected: warp.connected };
      this.judge(direct, boosted, relay?.id ?? null);
    } finally {
      this.running = false;
    }
  }

  private judge(direct: PathResult, boosted: PathResult | null, relay: string | null): void {
    if (direct.rttMs === null) {
      this.silent++;
      if (this.silent < SILENT_ROUNDS && this.directSamples.length === 0) return;
      if (this.directSamples.length === 0) {
        this.stop();
        this.publish(
          this.comparison(
            'no-answer',
            direct,
            boosted,
            relay,
            'not measured: the game server answers no light probe (many do not), so the direct path cannot be timed',
          ),
        );
        return;
      }
      // It answered before: keep the last numbers, the next round may get answers again.
      return;
    }
    this.silent = 0;
    this.directSamples.push(direct.rttMs);
    if (boosted?.rttMs != null) this.boostedSamples.push(boosted.rttMs);
    const warpNote = this.warp?.connected ? ' (the direct path goes through Cloudflare WARP)' : '';
    const note =
      boosted?.rttMs == null
        ? `without LightSpeed ${direct.rttMs.toFixed(1)} ms; the relay path got no answer${warpNote}`
        : `without LightSpeed ${direct.rttMs.toFixed(1)} ms → with ${boosted.rttMs.toFixed(1)} ms${warpNote}`;
    this.publish(this.comparison('measured', direct, boosted, relay, note));
  }

  private publish(c: DirectComparison): void {
    this.latest = c;
    this.o.onUpdate(c);
  }

  private comparison(
    state: DirectComparison['state'],
    direct: PathResult | null,
    boosted: PathResult | null,
    relay: string | null,
    note: string,
  ): DirectComparison {
    const directMs = direct?.rttMs ?? null;
    const boostedMs = boosted?.rttMs ?? null;
    return {
      server: this.o.label,
      state,
      directMs,
      directLossPct: direct === null || direct.sent === 0 ? null : direct.lossPct,
      boostedMs,
      boostedLossPct: boosted === null || boosted.sent === 0 ? null : boosted.lossPct,
      relay,
      msSaved: directMs === null || boostedMs === null ? null : directMs - boostedMs,
      atMs: Date.now(),
      warp: this.warp,
      note,
    };
  }
}
