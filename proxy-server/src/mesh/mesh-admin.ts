import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { Counter, Gauge, type Registry } from 'prom-client';

import type { MeshNode } from './mesh-node.js';
import { MESH_DROP_LABELS } from './mesh-stats.js';

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(header);
  if (m === null) return false;
  const given = Buffer.from(m[1]!, 'utf8');
  const want = Buffer.from(token, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The JSON body of GET /status. */
export function statusBody(
  info: { node_id: string; region: string; sessions: number },
  mesh: MeshNode | null,
): string {
  return JSON.stringify({
    node_id: info.node_id,
    region: info.region,
    peers: mesh?.links() ?? [],
    matrix: mesh?.matrixTable() ?? {},
    flows: { tunnel_sessions: info.sessions, ...(mesh?.flows() ?? { entry: 0, exit: 0, sessions: [] }) },
    routes: mesh?.routeTable() ?? { [info.node_id]: [info.node_id] },
  });
}

/** Mesh links and counters in the relay's /metrics, read at scrape time. */
export function registerMeshMetrics(registry: Registry, mesh: MeshNode): void {
  const { stats } = mesh;
  const rtt = new Gauge({
    name: 'lightspeed_mesh_link_rtt_ms',
    help: 'EWMA round-trip time of each mesh link, ms (absent before the first PONG).',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      rtt.reset();
      for (const l of mesh.links()) if (l.rtt_ms !== null) rtt.set({ peer: l.node_id }, l.rtt_ms);
    },
  });
  const loss = new Gauge({
    name: 'lightspeed_mesh_link_loss_ratio',
    help: 'EWMA probe loss of each mesh link, 0..1.',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      loss.reset();
      for (const l of mesh.links()) loss.set({ peer: l.node_id }, l.loss);
    },
  });
  const up = new Gauge({
    name: 'lightspeed_mesh_link_up',
    help: '1 when the mesh link answered a PING recently (3 probe intervals on a clean link, up to 10 on a lossy one).',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      up.reset();
      for (const l of mesh.links()) up.set({ peer: l.node_id }, l.up ? 1 : 0);
    },
  });
  const fecLoss = new Gauge({
    name: 'lightspeed_mesh_link_fec_loss_ratio',
    help: 'Hop FEC: the loss each peer reports for our direction of the link (sizes the repairs), 0..1.',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      fecLoss.reset();
      for (const l of mesh.links()) fecLoss.set({ peer: l.node_id }, l.fec_loss);
    },
  });
  const drops = new Counter({
    name: 'lightspeed_mesh_dropped_packets_total',
    help: 'Mesh and mesh-client packets dropped, by reason (auth_failed, replay, unknown_peer: never answered).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      drops.reset();
      MESH_DROP_LABELS.forEach((reason, i) => drops.inc({ reason }, stats.drops[i] ?? 0));
    },
  });
  const packets = new Counter({
    name: 'lightspeed_mesh_packets_total',
    help: 'Mesh datagrams: mesh_in/mesh_out (sealed, between relays), transit, client_in/out, server_in/out, fec_repair_out and fec_recovered (hop FEC), client_fec_recovered (client-leg FEC at the entry).',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      packets.reset();
      packets.inc({ direction: 'mesh_in' }, stats.meshInPackets);
      packets.inc({ direction: 'mesh_out' }, stats.meshOutPackets);
      packets.inc({ direction: 'transit' }, stats.transit);
      packets.inc({ direction: 'client_in' }, stats.clientIn);
      packets.inc({ direction: 'client_out' }, stats.clientOut);
      packets.inc({ direction: 'server_in' }, stats.serverIn);
      packets.inc({ direction: 'server_out' }, stats.serverOut);
      packets.inc({ direction: 'fec_repair_out' }, mesh.fecRepairs());
      packets.inc({ direction: 'fec_recovered' }, stats.fecRecovered);
      packets.inc({ direction: 'client_fec_recovered' }, stats.clientFecRecovered);
    },
  });
  const sessions = new Gauge({
    name: 'lightspeed_mesh_sessions',
    help: 'Mesh sessions this node holds, by role (entry: the client side, exit: the game-server socket).',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const f = mesh.flows();
      sessions.set({ role: 'entry' }, f.entry);
      sessions.set({ role: 'exit' }, f.exit);
    },
  });
}
