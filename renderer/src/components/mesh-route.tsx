/** Session → the mesh route: each entry carrying the session and its way through the mesh to the exit. */
import type { MeshRouteView } from '@lightspeed/shared';

export function MeshRoute({ mesh }: { mesh: MeshRouteView }) {
  return (
    <div>
      <dt>Mesh route{mesh.multipath ? ' (multipath)' : ''}</dt>
      <dd data-testid="mesh-route">
        {mesh.paths.map((p) => (
          <span key={p.entry} className="mesh-path" data-testid="mesh-path">
            <code>{p.route.join(' → ')}</code>
          </span>
        ))}
        <span className="muted">
          {' '}
          · exit <code data-testid="mesh-exit">{mesh.exit}</code>
          {mesh.why !== null && ` (auto: ${mesh.why})`}
          {mesh.failovers + mesh.moves > 0 &&
            ` · entry changes: ${mesh.failovers} failover${mesh.failovers === 1 ? '' : 's'}, ${mesh.moves} move${mesh.moves === 1 ? '' : 's'}`}
        </span>
      </dd>
    </div>
  );
}
