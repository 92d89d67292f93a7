import { z } from 'zod';

import { parseMeshPsk } from './mesh-psk.js';
import { parseBindAddress, parseIpv4BindAddress } from '../config/bind-address.js';

const ipv4Bind = z.string().superRefine((value, ctx) => {
  const parsed = parseIpv4BindAddress(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const nodeId = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s, 'utf8') <= 64, 'must be at most 64 bytes of UTF-8');

const psk = z.string().superRefine((value, ctx) => {
  const parsed = parseMeshPsk(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** `[mesh]` and `[[mesh.peers]]` (docs/mesh.md). Without `bind` the relay is not a mesh node. */
export const meshSchema = z
  .strictObject({
    bind: ipv4Bind.optional(),
    probe_interval_ms: z.number().int().min(20).max(60_000).default(500),
    /** Adaptive FEC (v3 repairs sized by the loss each hop reports) on mesh hops (hop-fec.ts). */
    fec: z.boolean().default(true),
    peers: z
      .array(
        z.strictObject({
          node_id: nodeId,
          addr: ipv4Bind.refine(
            (a) => typeof parseIpv4BindAddress(a) !== 'string' && !a.endsWith(':0'),
            'needs a port',
          ),
          key: psk,
        }),
      )
      .max(64)
      .optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.peers?.forEach((p, i) => {
      if (seen.has(p.node_id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['peers', i, 'node_id'],
          message: `duplicate peer ${p.node_id}`,
        });
      }
      seen.add(p.node_id);
    });
    if (m.bind === undefined && (m.peers?.length ?? 0) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['bind'],
        message: 'required when [[mesh.peers]] are configured',
      });
    }
  })
  .prefault({});

/** `[admin]`: the bearer token of GET /status. */
export const adminSchema = z
  .strictObject({
    token: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    /** Serve GET /status; default: on when the node is in a mesh. */
    status: z.boolean().optional(),
  })
  .prefault({});

export type MeshConfig = z.infer<typeof meshSchema>;
export type AdminConfig = z.infer<typeof adminSchema>;

export function isLoopbackHost(host: string): boolean {
  return host === '::1' || /^127\./.test(host);
}

/** The config problems the mesh adds, checked over the whole config: [path, problem]. */
export function meshConfigProblems(c: {
  server: { node_id: string; health_bind: string };
  mesh: MeshConfig;
  admin: AdminConfig;
}): [string, string][] {
  const out: [string, string][] = [];
  if (c.mesh.bind !== undefined && Buffer.byteLength(c.server.node_id, 'utf8') > 64) {
    out.push(['server.node_id', 'a mesh node id must be at most 64 bytes of UTF-8']);
  }
  c.mesh.peers?.forEach((p, i) => {
    if (p.node_id === c.server.node_id) out.push([`mesh.peers[${i}].node_id`, 'is this node itself']);
  });
  const health = parseBindAddress(c.server.health_bind);
  if (statusEnabled(c) && typeof health !== 'string' && !isLoopbackHost(health.host) && !c.admin.token) {
    out.push([
      'admin.token',
      `required: GET /status is served on ${c.server.health_bind}, not a loopback address ` +
        '(set [admin] token, bind the health server to 127.0.0.1, or set [admin] status = false)',
    ]);
  }
  return out;
}

export function statusEnabled(c: { mesh: MeshConfig; admin: AdminConfig }): boolean {
  return c.admin.status ?? c.mesh.bind !== undefined;
}
