/**
 * The engine's public vocabulary, shared by the engine (electron/src/engine), the CLI, the IPC bridge and
 * the renderer. Pure types and pure helpers only: the renderer imports this file.
 */
import type { BoostState, BoostStats, RelayRef } from './boost-state.js';

/** A relay's data plane, as configured. `id` defaults to `host:port`. */
export interface RelayEndpoint {
  host: string;
  port: number;
  id?: string;
  region?: string;
  /**
   * Session token this relay's control plane issued (0..255). Tokens are per relay, so a boost that may fail
   * over between relays requiring auth carries one for each; it overrides `BoostRequest.token`.
   */
  token?: number;
  /** The relay's QUIC control port, when a discovery source said (default 4433). */
  controlPort?: number;
  /** SHA-256 (hex) of its control certificate, when a source pinned it: any other certificate is refused. */
  certSha256?: string;
}

/** One redirect: games send to `127.0.0.1:localPort`, the engine carries it to `server` (`host:port`). */
export interface RouteSpec {
  server: string;
  /** 0 or absent: pick a free port (read it back with `getRoutes()`). */
  localPort?: number;
}

/** Which processes capture mode takes the UDP traffic of: exactly one of `pids`, `processName`, `gameId`. */
export type CaptureTargetSpec =
  { kind: 'pid'; pids: number[] } | { kind: 'process'; name: string } | { kind: 'game'; gameId: string };

/** Capture mode: the game's own traffic, taken at the network layer; the servers are found from it. */
export interface CaptureSpec {
  target: CaptureTargetSpec;
  /** Destinations never captured besides the relays (IPv4 addresses or CIDRs). */
  excludes?: string[];
  /** Capture traffic to LAN (RFC 1918) destinations too. Default false. */
  captureLan?: boolean;
}

/** A game server capture found, from the game's own traffic. */
export interface CapturedServer {
  /** `host:port` as the game sent to it. */
  address: string;
  /** Datagrams the game sent it so far. */
  packets: number;
  /** Game sockets talking to it. */
  sockets: number;
  /**
   * Where it seems to be: the region of the relay with the shortest measured leg to it ("near <region>"),
   * once relays have reported their legs; absent until then.
   */
  region?: string;
}

/** Where capture stands: what it watches and what it found. */
export interface CaptureStatus {
  /** waiting-for-game: no matching process yet; waiting-for-traffic: rules in place, nothing sent yet. */
  phase: 'waiting-for-game' | 'waiting-for-traffic' | 'capturing';
  processes: { pid: number; name: string }[];
  /** The game's UDP ports captured now. */
  ports: number[];
  servers: CapturedServer[];
}

/** What `BoostEngine.start` needs. */
export interface BoostRequest {
  /** Redirect mode's ports; empty with `capture`. */
  routes: RouteSpec[];
  /** Capture mode instead of redirect ports. */
  capture?: CaptureSpec;
  /** Candidate relays; the selector ranks them and the engine fails over down the ranking. */
  relays: RelayEndpoint[];
  /** 0: header v1, no FEC. 2..16: header v2 with one XOR parity per K data packets (time-bounded). */
  fecK: number;
  /**
   * Adaptive FEC with this repair budget (overrides `fecK`): each flow offers v3 (sliding-window repairs
   * sized to the measured loss) and falls back to v2 K = 4 where the relay does not accept.
   */
  fecAdaptive?: 'balanced' | 'strong';
  /** Session token from the control plane (0..255), carried in every data packet header. Default 0. */
  token?: number;
  /** Game id on the wire (see `GameId`), for the control plane. */
  gameId?: number;
}

/** A route as it runs: the local port the game talks to and the server behind it. */
export interface EngineRoute {
  localPort: number;
  server: string;
}

/** Result of probing one relay with keepalives. */
export interface RelayProbe {
  relay: RelayRef;
  sent: number;
  received: number;
  /** Fraction of probes unanswered, 0..1. */
  loss: number;
  /** Median RTT in ms, null when nothing came back. */
  rttMedianMs: number | null;
  rttMinMs: number | null;
  /** Ranking score, lower is better (median RTT plus a loss penalty); Infinity when unreachable. */
  score: number;
  reachable: boolean;
}

/** Everything the engine tells its subscribers, in order. */
/** What a finished boost amounted to (emitted once, just before the 'stopped' state). */
export interface SessionSummary {
  startedAt: string;
  durationS: number;
  /** The relays that carried traffic, in order. */
  relays: string[];
  /** Client → relay ping over the session (keepalives), ms; null when none was answered. */
  pingP50Ms: number | null;
  pingP95Ms: number | null;
  /** Downstream loss over the session, 0..1, as the link saw it and after FEC repaired what it could. */
  lossBeforeFec: number;
  lossAfterFec: number;
  packetsRecovered: number;
  failovers: number;
  /**
   * Without LightSpeed minus with it, ms: the medians of the session's direct and relay-path measurements
   * (direct-watch.ts, the same light probe on both paths); null when the game server answered none.
   */
  msSavedVsDirect: number | null;
  /** The medians behind it ("without X ms → with Y ms"); absent in summaries saved before they existed. */
  directMs?: number | null;
  boostedMs?: number | null;
  /** Why the direct path was not measured, when it was not. */
  directNote?: string;
}

/** Whether Cloudflare WARP is installed and connected on this machine (`warp-cli status`). */
export interface WarpState {
  installed: boolean;
  connected: boolean;
}

/**
 * Without LightSpeed against with it, measured live during a session: a few light request probes to the
 * game server directly and the same through the relay in use, every 30 s (direct-watch.ts). A game
 * server that answers no foreign probe leaves it `no-answer` (not measured), never a guess.
 */
export interface DirectComparison {
  /** The game server probed (`host:port`): the one being boosted, nothing else. */
  server: string;
  state: 'measuring' | 'measured' | 'no-answer';
  /** Direct RTT (median of the last round), ms, and its loss (0..100). */
  directMs: number | null;
  directLossPct: number | null;
  /** Through the relay in use: client → relay → server → relay → client, ms, and its loss (0..100). */
  boostedMs: number | null;
  boostedLossPct: number | null;
  relay: string | null;
  /** directMs − boostedMs when both are known (negative: direct is faster). */
  msSaved: number | null;
  /** Wall clock of the last round, ms since the epoch. */
  atMs: number;
  /** WARP changes the direct path; null when not looked at. */
  warp: WarpState | null;
  /** One line for people: the numbers, or why there are none. */
  note: string;
}

export type EngineEvent =
  | { type: 'state'; state: BoostState }
  | { type: 'stats'; stats: BoostStats }
  | { type: 'failover'; from: RelayRef; to: RelayRef | null; reason: string }
  | { type: 'relays'; relays: RelayProbe[] }
  | { type: 'capture'; capture: CaptureStatus }
  | { type: 'summary'; summary: SessionSummary }
  | { type: 'direct'; direct: DirectComparison };

/** `host:port` → RelayRef id/address, the same way the engine names relays. */
export function relayRef(relay: RelayEndpoint): RelayRef {
  const address = `${relay.host}:${relay.port}`;
  return relay.region === undefined
    ? { id: relay.id ?? address, address }
    : { id: relay.id ?? address, address, region: relay.region };
}

/** Parses `host:port` (IPv4 literal or name; port 1..65535, or 0 when `allowZero`). Returns null when malformed. */
export function parseHostPort(text: string, allowZero = false): { host: string; port: number } | null {
  const at = text.lastIndexOf(':');
  if (at <= 0) return null;
  const host = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535 || (port === 0 && !allowZero)) return null;
  if (!/^[A-Za-z0-9.-]+$/.test(host)) return null;
  return { host, port };
}
