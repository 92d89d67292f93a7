/**
 * What the UI sees: settings, games, relays, the boost session, and the snapshot it starts from. Inbound
 * shapes (settings, boost requests, manual servers) have zod schemas, shared by every transport.
 */
import { z } from 'zod';

import type { BoostState, BoostStats, RelayRef } from '../boost/boost-state.js';
import type {
  CaptureStatus,
  DirectComparison,
  EngineRoute,
  SessionSummary,
  WarpState,
} from '../boost/engine-events.js';
import { parseHostPort } from '../boost/engine-events.js';
import type { MeshRouteView } from '../boost/mesh-route.js';

/** Host names and IPv4 literals only: no schemes, paths or spaces. */
const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/, 'a host name or IPv4 address');

/** `host:port`, port 1..65535. */
export const hostPortSchema = z
  .string()
  .max(260)
  .refine((text) => parseHostPort(text) !== null, { message: 'expected host:port (port 1..65535)' });

const labelSchema = z.string().trim().min(1).max(64);

export const relayEndpointSchema = z.strictObject({
  host: hostSchema,
  port: z.number().int().min(1).max(65535),
  id: labelSchema.optional(),
  region: labelSchema.optional(),
});

/** Forward error correction strength, as the user picks it. */
export const FEC_LEVELS = ['off', 'light', 'balanced', 'strong'] as const;
export type FecLevel = (typeof FEC_LEVELS)[number];

const FEC_K: Record<FecLevel, number> = { off: 0, light: 8, balanced: 4, strong: 2 };

/** Data packets per parity packet for a level (0: no FEC). Smaller K recovers more, costs more bandwidth. */
export function fecKForLevel(level: FecLevel): number {
  return FEC_K[level];
}

/**
 * What a level asks of the engine: off, light (XOR, one parity per 8 packets, as deployed), or adaptive
 * FEC — v3 repairs sized to the measured loss within the level's budget (balanced: up to about 2× the
 * bytes at heavy loss; strong: up to about 3×), falling back to XOR K = 4 on relays without v3.
 */
export function fecRequestForLevel(level: FecLevel): { fecK: number; fecAdaptive?: 'balanced' | 'strong' } {
  if (level === 'balanced' || level === 'strong') return { fecK: FEC_K.balanced, fecAdaptive: level };
  return { fecK: FEC_K[level] };
}

export const BOOST_MODES = ['redirect', 'capture'] as const;
export type BoostMode = (typeof BOOST_MODES)[number];

/** A game server the user added by hand, for redirect mode. */
export const gameServerSchema = z.strictObject({
  gameId: labelSchema,
  name: labelSchema,
  server: hostPortSchema,
});
export type GameServer = z.infer<typeof gameServerSchema>;

export const ROUTE_SELECTORS = ['ml', 'nearest'] as const;
export type RouteSelectorName = (typeof ROUTE_SELECTORS)[number];

export const settingsSchema = z.strictObject({
  /** redirect: the game talks to 127.0.0.1; capture: packets are intercepted (needs privileges). */
  mode: z.enum(BOOST_MODES),
  fecLevel: z.enum(FEC_LEVELS),
  keepaliveIntervalMs: z.number().int().min(100).max(10_000),
  /** How relays are ranked: ml (predicted end-to-end RTT, learns from sessions) or nearest (client → relay RTT). */
  routeSelector: z.enum(ROUTE_SELECTORS),
  /**
   * LightSpeed's relays: the default signed registry the app ships (its URL and pinned key), used alongside
   * the user's own relays below. On by default, so Boost works from the first run.
   */
  defaultRegistry: z.boolean(),
  /** Where the user's own relays come from: the list below, or a signed registry (URL + the pinned Ed25519 key). */
  relaySource: z.enum(['list', 'registry']),
  relays: z.array(relayEndpointSchema).max(64),
  registryUrl: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL')
    .nullable(),
  /** The registry's Ed25519 public key (32 bytes as base64 or hex): a registry it did not sign is refused. */
  registryKey: z
    .string()
    .regex(/^(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/, 'an Ed25519 public key: 32 bytes as base64 or hex')
    .nullable(),
  /** Game servers added by hand (Library → Add server). */
  gameServers: z.array(gameServerSchema).max(256),
  /**
   * The relay the user pinned (its id), or null for automatic choice. Kept as a preference: while that relay
   * is not in the list (a registry not loaded yet), the choice is automatic, and the pin returns with it.
   */
  pinnedRelay: labelSchema.nullable(),
  firstRunComplete: z.boolean(),
  startAtLogin: z.boolean(),
  closeToTray: z.boolean(),
  /**
   * The relay mesh (docs/mesh.md), redirect mode: 'off' (one relay, as every deployed relay works), 'auto'
   * (the mesh's exit nearest the game server; one relay as before when no relay is a mesh node), or the
   * node id of the exit to use.
   */
  meshExit: labelSchema.regex(/^[A-Za-z0-9._-]+$/, "'off', 'auto' or a relay node id"),
  /** With the mesh: every packet through two entries (losing one costs no gap; twice the upload). */
  multipath: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** A partial update: every key optional, unknown keys rejected. */
export const settingsPatchSchema = settingsSchema.partial();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  mode: 'redirect',
  fecLevel: 'balanced',
  keepaliveIntervalMs: 500,
  routeSelector: 'ml',
  defaultRegistry: true,
  relaySource: 'list',
  relays: [],
  registryUrl: null,
  registryKey: null,
  gameServers: [],
  pinnedRelay: null,
  firstRunComplete: false,
  startAtLogin: false,
  closeToTray: true,
  meshExit: 'off',
  multipath: false,
};

const shape = settingsSchema.shape;
const d = DEFAULT_SETTINGS;
/**
 * For a settings file: every key falls back to its default when missing or invalid, unknown keys are
 * dropped (files written by a newer version still load).
 */
export const settingsFileSchema = z.object({
  mode: shape.mode.catch(d.mode),
  fecLevel: shape.fecLevel.catch(d.fecLevel),
  keepaliveIntervalMs: shape.keepaliveIntervalMs.catch(d.keepaliveIntervalMs),
  routeSelector: shape.routeSelector.catch(d.routeSelector),
  // A file from before the default registry existed turns it on: the user's own relays stay as they were.
  defaultRegistry: shape.defaultRegistry.catch(d.defaultRegistry),
  relaySource: shape.relaySource.catch(d.relaySource),
  relays: shape.relays.catch(d.relays),
  registryUrl: shape.registryUrl.catch(d.registryUrl),
  registryKey: shape.registryKey.catch(d.registryKey),
  gameServers: shape.gameServers.catch(d.gameServers),
  pinnedRelay: shape.pinnedRelay.catch(d.pinnedRelay),
  firstRunComplete: shape.firstRunComplete.catch(d.firstRunComplete),
  startAtLogin: shape.startAtLogin.catch(d.startAtLogin),
  closeToTray: shape.closeToTray.catch(d.closeToTray),
  meshExit: shape.meshExit.catch(d.meshExit),
  multipath: shape.multipath.catch(d.multipath),
});

/** What to boost: a known game (by id), or a bare game server. */
export const boostTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('game'), gameId: labelSchema, server: hostPortSchema.optional() }),
  z.strictObject({ kind: z.literal('server'), server: hostPortSchema, name: labelSchema.optional() }),
]);
export type BoostTarget = z.infer<typeof boostTargetSchema>;

/** Which relay: the best one (auto) or the one the user pinned. */
export const relayChoiceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('auto') }),
  z.strictObject({ kind: z.literal('pin'), relayId: labelSchema }),
]);
export type RelayChoice = z.infer<typeof relayChoiceSchema>;

export const boostStartSchema = z.strictObject({
  target: boostTargetSchema,
  /** Absent: use the current pin (or auto). */
  relay: relayChoiceSchema.optional(),
});
export type BoostStartRequest = z.infer<typeof boostStartSchema>;

export const relayPinSchema = z.strictObject({ relayId: labelSchema.nullable() });
export type RelayPinRequest = z.infer<typeof relayPinSchema>;

/** A game server added by hand for redirect mode, to an existing game or as a new entry. */
export const addServerSchema = z.strictObject({
  gameId: labelSchema.optional(),
  name: labelSchema.optional(),
  server: hostPortSchema,
});
export type AddServerRequest = z.infer<typeof addServerSchema>;

export const removeServerSchema = z.strictObject({ gameId: labelSchema, server: hostPortSchema });
export type RemoveServerRequest = z.infer<typeof removeServerSchema>;

/** `diagnose.run`: the game server to compare the direct path and each relay path for. */
export const diagnoseRequestSchema = z.strictObject({ server: hostPortSchema });
export type DiagnoseRequest = z.infer<typeof diagnoseRequestSchema>;

/** One path as diagnose measured it: median RTT (null: nothing answered) and loss, 0..100. */
export interface PathView {
  rttMs: number | null;
  lossPct: number;
}

/** What `lightspeed diagnose` says, for the UI: direct against each configured relay. */
export interface DiagnoseView {
  server: string;
  direct: PathView;
  relays: (PathView & { relay: string })[];
  verdict: string;
  /** Direct minus the best relay path, ms, when both answered (negative: direct is faster). */
  msSaved: number | null;
  /** Cloudflare WARP on this machine (it changes the direct path); null when it could not be looked at. */
  warp: WarpState | null;
  atMs: number;
}

/** For channels without an argument. */
export const noArgSchema = z.undefined();

/** A game as the Library shows it. */
export interface GameView {
  id: string;
  name: string;
  /** detected: found installed or running; manual: added by hand; demo: the dashboard's demo game. */
  source: 'detected' | 'manual' | 'demo';
  installed: boolean;
  running: boolean;
  /** Known game servers (`host:port`) for redirect mode; empty: the user must add one before boosting. */
  servers: string[];
  /** Short text for the tile, e.g. the platform or launcher. */
  detail?: string;
}

export interface GamesView {
  games: GameView[];
  /** When detection last ran, ms since the epoch (null: never). */
  scannedAtMs: number | null;
  /** Detection sources that could not run here (e.g. another OS's launcher). */
  skipped: string[];
}

/** An entry of the game catalog (games the app knows how to boost). */
export interface CatalogEntryView {
  id: string;
  name: string;
}

/** A relay with its last probe, JSON-safe (no Infinity). */
export interface RelayView {
  relay: RelayRef;
  rttMs: number | null;
  rttMinMs: number | null;
  /** 0..1, null before the first probe. */
  loss: number | null;
  reachable: boolean | null;
  probedAtMs: number | null;
}

/** One place relays come from, and how its last load went. */
export interface RelaySourceView {
  /** default-registry: the one the app ships; registry: the user's own; list: relays the user typed. */
  kind: 'default-registry' | 'registry' | 'list';
  /** The registry's URL (absent for the list). */
  url?: string;
  /** Relays it gives now. */
  relays: number;
  /** A registry being fetched. */
  loading: boolean;
  /** Why the last fetch failed (unreachable, refused), null when it worked; with `cachedUntil` the relays come from the last good copy. */
  error: string | null;
  /** Served from the last good copy kept on disk (the fetch failed): when that copy expires, ISO-8601. */
  cachedUntil?: string;
}

export interface RelaysView {
  relays: RelayView[];
  /** Pinned relay id; null: auto. */
  pinned: string | null;
  probing: boolean;
  /** Where the relays come from (absent: a backend that does not say). */
  sources?: RelaySourceView[];
}

/** The running boost session, if any. */
export interface SessionInfo {
  gameId: string | null;
  name: string;
  /** The game server (redirect mode); in capture mode the busiest server found so far, '' before any. */
  server: string;
  /** Where the game must send (redirect mode). */
  routes: EngineRoute[];
  /** Capture mode: what capture watches and the servers it found (absent in redirect mode). */
  capture?: CaptureStatus;
  relayChoice: RelayChoice;
  startedAtMs: number;
  /** Without LightSpeed vs with it, measured live (absent until the first round of probes). */
  direct?: DirectComparison;
  /** A boost through the relay mesh: the exit and each entry's route (absent through one relay). */
  mesh?: MeshRouteView;
}

export interface BoostStatus {
  state: BoostState;
  session: SessionInfo | null;
  /** Summaries of the last sessions, newest first (at most 50, kept on this machine). */
  recent?: SessionSummary[];
}

export interface BoostStartResult {
  routes: EngineRoute[];
}

/** Who serves the UI. */
export interface AppInfo {
  version: string;
  shell: 'electron' | 'dashboard';
  /** The dashboard's demo: a local relay, echo game server and lossy link. */
  demo: boolean;
}

/** Everything the UI starts from (`state.get`); notifications keep it current. */
export interface AppSnapshot {
  app: AppInfo;
  boost: BoostStatus;
  stats: BoostStats | null;
  /** Recent per-second stats, oldest first, so a reloaded UI shows history. */
  statsHistory: BoostStats[];
  relays: RelaysView;
  settings: Settings;
  games: GamesView;
  catalog: CatalogEntryView[];
}
