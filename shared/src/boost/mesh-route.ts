/** A boost through the relay mesh as the UI shows it (docs/mesh.md). Pure types: the renderer imports it. */

/** One entry carrying the session, with the mesh route its traffic takes: [entry, …, exit] (node ids). */
export interface MeshPathView {
  entry: string;
  route: string[];
}

export interface MeshRouteView {
  /** The exit's node id: the address the game server sees belongs to it. */
  exit: string;
  /** How `auto` chose it; null when the exit was named in Settings. */
  why: string | null;
  multipath: boolean;
  /** The entries carrying traffic now (two with multipath), first the preferred one. */
  paths: MeshPathView[];
  /** Entry changes because an entry stopped answering, and moves to a better entry. */
  failovers: number;
  moves: number;
}
