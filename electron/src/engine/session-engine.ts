/**
 * What a shell drives of an engine, as a structural interface: `BoostEngine` (one relay) and `MeshEngine`
 * (the relay mesh, falling back to a `BoostEngine`) both satisfy it, and so does the capture helper's
 * stand-in on the app's side.
 */
import type {
  BoostRequest,
  BoostState,
  BoostStats,
  EngineEvent,
  EngineRoute,
  MeshRouteView,
  RelayEndpoint,
  RelayProbe,
  RelayRef,
} from '@lightspeed/shared';

export interface SessionEngine {
  start(request: BoostRequest): Promise<void>;
  stop(reason?: string): Promise<void>;
  getState(): BoostState;
  getStats(): BoostStats | null;
  getRoutes(): EngineRoute[];
  currentRelay(): RelayRef | null;
  probe(relays: RelayEndpoint[]): Promise<RelayProbe[]>;
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** A mesh engine's route (exit, entries) for the Session view; absent or null otherwise. */
  meshRoute?(): MeshRouteView | null;
}
