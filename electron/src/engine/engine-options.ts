/** `BoostEngine`'s options and the defaults of its timing knobs. */
import type { WarpState } from '@lightspeed/shared';

import type { ProcessInfo } from '@lightspeed/games';

import type { CaptureBackend } from './capture/capture-backend.js';
import type { ProbeOptions } from './relay-prober.js';
import type { ExploreMode } from './route-watch.js';
import type { RouteSelector, SelectorContext } from './route-selector.js';

export interface EngineOptions {
  /** Keepalive period, ms. Default 500. */
  keepaliveMs?: number;
  /** Consecutive unanswered keepalives that make the engine leave a relay. Default 3. */
  missesForFailover?: number;
  /** Upper bound on how long a partial FEC block waits before its parity goes out, ms. Default 5. */
  fecFlushMs?: number;
  /** Stats event period, ms. Default 1000. */
  statsIntervalMs?: number;
  /** A relay we failed away from is not chosen again for this long while another candidate exists. Default 30 s. */
  holdDownMs?: number;
  /** With no relay answering for this long, the session ends in an error. Default 20 s. */
  giveUpMs?: number;
  /** Game sockets silent for this long lose their tunnel socket. Default 120 s. */
  flowIdleMs?: number;
  selector?: RouteSelector;
  selectorContext?: SelectorContext;
  /**
   * Re-rank the relays this often during a session and move when another is clearly better (route-watch.ts).
   * Default: 2000 ms with a learned selector, 0 (off: rank once, then fail over only) otherwise.
   */
  rerankMs?: number;
  /**
   * How the re-ranking learns the server leg of relays that carry no traffic (route-watch.ts): `probe` (the
   * default) sends a few light request probes through them, `copies` copies of the game's own datagrams
   * (the server then sees the player's datagrams from other relays' addresses: opt in only), `off` nothing.
   */
  explore?: ExploreMode;
  /**
   * The live "without LightSpeed → with" comparison (direct-watch.ts): a round of light probes to the game
   * server directly and through the relay every `everyMs` (default 30 s), with WARP's state from `warp`
   * (default `warp-cli status`). `false`: off.
   */
  direct?: { everyMs?: number; warp?: () => Promise<WarpState> } | false;
  /** Probe settings used by `probe()` and by start-up ranking. */
  probe?: ProbeOptions;
  /** Capture mode's platform backend (default: this OS's). */
  captureBackend?: () => CaptureBackend;
  /** The process list capture resolves its target in (default: this OS's). */
  listProcesses?: (pids?: readonly number[]) => Promise<ProcessInfo[]>;
}

const DEFAULTS = {
  keepaliveMs: 500,
  missesForFailover: 3,
  fecFlushMs: 5,
  statsIntervalMs: 1000,
  holdDownMs: 30_000,
  flowIdleMs: 120_000,
  giveUpMs: 20_000,
};

/** The timing knobs with their defaults filled in. */
export type EngineTimings = typeof DEFAULTS;

/** Fills in the defaults of the timing knobs. */
export function engineTimings(options: EngineOptions): EngineTimings {
  return {
    keepaliveMs: options.keepaliveMs ?? DEFAULTS.keepaliveMs,
    missesForFailover: options.missesForFailover ?? DEFAULTS.missesForFailover,
    fecFlushMs: options.fecFlushMs ?? DEFAULTS.fecFlushMs,
    statsIntervalMs: options.statsIntervalMs ?? DEFAULTS.statsIntervalMs,
    holdDownMs: options.holdDownMs ?? DEFAULTS.holdDownMs,
    flowIdleMs: options.flowIdleMs ?? DEFAULTS.flowIdleMs,
    giveUpMs: options.giveUpMs ?? DEFAULTS.giveUpMs,
  };
}
