/** Three (or more) mesh relays on loopback, with chosen links slowed by a userspace delay link (tests, bench). */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

import { LossyLink } from '@lightspeed/shared/node';
import { pino } from 'pino';

import type { SessionAuthority } from '../auth/session-authority.js';
import { resolveConfig } from '../config/config.js';
import { startRelay, type Relay } from '../relay/start-relay.js';

export interface MeshLabOptions {
  /** Node ids, default r1, r2, r3. Every pair is linked. */
  nodes?: string[];
  /** One-way delay (ms) of the links named "a-b" (both directions go through a delay link). */
  delays?: Record<string, number>;
  /** Loss probability (each direction) of the links named "a-b", through a seeded lossy link. */
  loss?: Record<string, number>;
  /** Nodes that require a session token, with the authority that checks it. */
  authorities?: Record<string, SessionAuthority>;
  /** `[mesh] fec` (default true). */
  fec?: boolean;
  probeIntervalMs?: number;
  adminToken?: string;
  pps?: number;
}

export interface MeshLab {
  relays: Map<string, Relay>;
  /** The PSK of each pair, by "a-b" with a < b. */
  keys: Map<string, string>;
  /** Mesh port of each node (fixed before start). */
  meshPorts: Map<string, number>;
  relay(id: string): Relay;
  /** Stops node `id` and starts it again with the same node id, keys, mesh and data ports (a relay restart). */
  restart(id: string): Promise<Relay>;
  stop(): Promise<void>;
}

/** Free UDP ports on 127.0.0.1 (bound, read, closed: a race with other processes is possible but rare). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve) => {
          const s = createSocket('udp4');
          s.bind(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export const pairKey = (a: string, b: string): string => (a < b ? `${a}-${b}` : `${b}-${a}`);

export async function startMeshLab(options: MeshLabOptions = {}): Promise<MeshLab> {
  const nodes = options.nodes ?? ['r1', 'r2', 'r3'];
  const ports = await freeUdpPorts(nodes.length);
  const meshPorts = new Map(nodes.map((n, i) => [n, ports[i]!]));
  const keys = new Map<string, string>();
  for (const a of nodes)
    for (const b of nodes) if (a < b) keys.set(pairKey(a, b), randomBytes(32).toString('base64'));
  const links: LossyLink[] = [];
  // addr[a][b]: where a sends to reach b (direct, or a delay link in front of b).
  const addr = new Map<string, string>();
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      const delay = options.delays?.[pairKey(a, b)];
      const loss = options.loss?.[pairKey(a, b)];
      if (delay === undefined && loss === undefined) {
        addr.set(`${a}>${b}`, `127.0.0.1:${meshPorts.get(b)!}`);
        continue;
      }
      const link = await LossyLink.start({
        listen: { host: '127.0.0.1', port: 0 },
        forward: { host: '127.0.0.1', port: meshPorts.get(b)! },
        ...(delay !== undefined && { delayMs: delay }),
        ...(loss !== undefined && { loss, seed: a < b ? 1 : 2 }),
      });
      links.push(link);
      addr.set(`${a}>${b}`, `127.0.0.1:${link.port}`);
    }
  }
  const relays = new Map<string, Relay>();
  const starts = new Map<string, (dataPort?: number) => Promise<Relay>>();
  for (const n of nodes) {
    const configFor = (dataPort: number) =>
      resolveConfig({
        server: {
          node_id: n,
          region: `lab-${n}`,
          data_bind: `127.0.0.1:${dataPort}`,
          health_bind: '127.0.0.1:0',
          control_bind: '127.0.0.1:0',
        },
        security: {
          require_auth: options.authorities?.[n] !== undefined,
          allow_destinations: ['127.0.0.0/8'],
          max_sessions_per_ip: 10_000,
        },
        rate_limit: { pps: options.pps ?? 5000, bps: 50_000_000 },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: {
          bind: `127.0.0.1:${meshPorts.get(n)!}`,
          probe_interval_ms: options.probeIntervalMs ?? 100,
          ...(options.fec !== undefined && { fec: options.fec }),
          peers: nodes
            .filter((p) => p !== n)
            .map((p) => ({ node_id: p, addr: addr.get(`${n}>${p}`)!, key: keys.get(pairKey(n, p))! })),
        },
        ...(options.adminToken !== undefined && { admin: { token: options.adminToken } }),
      });
    const authority = options.authorities?.[n];
    // A restart keeps the data port too: a client's session goes on sending to the same address.
    const start = (dataPort = 0): Promise<Relay> =>
      startRelay(configFor(dataPort), {
        logger: pino({ level: 'silent' }),
        ...(authority !== undefined && { authority }),
      });
    starts.set(n, start);
    relays.set(n, await start());
  }
  return {
    relays,
    keys,
    meshPorts,
    relay: (id) => relays.get(id)!,
    async restart(id) {
      const old = relays.get(id)!;
      await old.stop();
      const relay = await starts.get(id)!(old.dataPort);
      relays.set(id, relay);
      return relay;
    },
    async stop() {
      await Promise.all([...relays.values()].map((r) => r.stop()));
      await Promise.all(links.map((l) => l.stop()));
    },
  };
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
