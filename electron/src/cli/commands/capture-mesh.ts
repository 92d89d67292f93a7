/**
 * `lightspeed capture … --exit NODE_ID|auto [--multipath]`: the capture session through the relay mesh
 * (docs/mesh.md). The --relay addresses are entries; the game's own traffic goes entry → … → exit, and
 * the exit's one socket is what the game server sees through failovers. With `auto` and no entry that is
 * a mesh node, the single-relay engine carries the capture as without --exit. Shared by the plain CLI
 * and the app's capture helper (`--request -`).
 */
import type { MeshRouteView } from '@lightspeed/shared';

import { BoostEngine, type ExploreMode, type RouteSelector } from '../../engine/index.js';
import { MeshEngine } from '../../engine/mesh/mesh-engine.js';

export interface MeshArg {
  /** The exit's node id, or 'auto'. */
  exit: string;
  multipath: boolean;
}

/** The engine of a capture session: through the mesh when `mesh` is given, else through one relay. */
export function captureEngine(o: {
  keepaliveMs: number;
  selector: () => RouteSelector;
  explore?: ExploreMode;
  mesh: MeshArg | null;
}): BoostEngine | MeshEngine {
  const single = (): BoostEngine =>
    new BoostEngine({
      keepaliveMs: o.keepaliveMs,
      selector: o.selector(),
      ...(o.explore !== undefined && { explore: o.explore }),
    });
  if (o.mesh === null) return single();
  return new MeshEngine({ ...o.mesh, keepaliveMs: o.keepaliveMs, fallback: single });
}

/**
 * The mesh route (exit, each entry's path, failovers) as a `mesh-route` line whenever it changes — the
 * helper's way to give the app what `MeshEngine.meshRoute()` gives in process. Returns the unsubscribe.
 */
export function reportMeshRoute(
  engine: BoostEngine | MeshEngine,
  say: (o: { type: 'mesh-route'; mesh: MeshRouteView }) => void,
): () => void {
  if (!(engine instanceof MeshEngine)) return () => undefined;
  let last = '';
  return engine.subscribe((e) => {
    if (e.type !== 'stats') return;
    const mesh = engine.meshRoute();
    const text = JSON.stringify(mesh);
    if (mesh === null || text === last) return;
    last = text;
    say({ type: 'mesh-route', mesh });
  });
}
