/**
 * What the backend needs from the engine and from game detection, as structural interfaces: the real
 * `BoostEngine` and `@lightspeed/games` satisfy them, and tests can hand in the real things too.
 */
import type { RouteSelectorName } from '@lightspeed/shared';

import type { SessionEngine } from '../engine/session-engine.js';

/** The engine the backend drives (one relay or the mesh). */
export type EngineLike = SessionEngine;

/** Makes an engine for one session (settings such as the keepalive period are fixed per engine). */
export type EngineFactory = (options: {
  keepaliveMs: number;
  selector?: RouteSelectorName;
  /** Boost through the relay mesh (Settings → Relay mesh): the exit ('auto' or a node id), multipath. */
  mesh?: { exit: string; multipath: boolean };
}) => EngineLike;

/** A catalog entry, as much as the backend reads of it. */
export interface CatalogGame {
  id: string;
  name: string;
  wireGameId: number | null;
  redirect: { possible: boolean };
}

/** Result of one detection pass (the shape of `@lightspeed/games`' `detectGames`). */
export interface DetectionResult {
  installed: { gameId: string; name: string; source: string }[];
  running: { gameId: string; name: string }[];
  skipped: { source: string; path: string; reason: string }[];
}

/** The game catalog and detection. */
export interface GamesProvider {
  catalog: readonly CatalogGame[];
  detect(): Promise<DetectionResult>;
}
