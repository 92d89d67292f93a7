/**
 * Capture through a relay mesh, in network namespaces (root only), for the mesh capture test:
 *
 *   game ns 198.18.1.2 ── relays ns 198.18.1.1 | 198.18.2.1 ── server ns 198.18.2.2:7777 (seen-echo)
 *   game2 ns 198.18.3.2 ──┘ 198.18.3.1 (a second host: capture owns one nftables table per namespace)
 *
 * The relays namespace runs three mesh relays, each its own process with its own TOML config: entries
 * e1 (data 198.18.1.1:4434) and e2 (198.18.1.1:4436), facing the game, and the exit x (data
 * 198.18.2.1:4438), facing the server; their mesh sockets talk over the namespace's loopback with a
 * pre-shared key per pair. The server sees the exit's address (198.18.2.1) and never an entry's.
 * 198.18.0.0/15 is the benchmarking range: nothing outside these namespaces is ever addressed.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { NetnsLab } from '@lightspeed/shared/node';

import { PEERS, SERVER_HOST, SERVER_PORT } from './capture-lab.js';
import { lines } from './child-lines.js';

export { CLI, PEERS, SERVER_HOST, SERVER_PORT } from './capture-lab.js';

const RELAY_BIN = path.resolve(PEERS, '../../../../proxy-server/bin/lightspeed-proxy.js');

export const GAME_HOST = '198.18.1.2';
const GAME_SIDE = '198.18.1.1';
/** The relays' server-facing address: where the exit's upstream sockets live. */
export const EXIT_HOST = '198.18.2.1';

interface Node {
  id: string;
  data: string;
  mesh: number;
}

const NODES: Node[] = [
  { id: 'e1', data: `${GAME_SIDE}:4434`, mesh: 4535 },
  { id: 'e2', data: `${GAME_SIDE}:4436`, mesh: 4536 },
  { id: 'x', data: `${EXIT_HOST}:4438`, mesh: 4537 },
];

export interface MeshCaptureLab {
  lab: NetnsLab;
  /** The namespace the game (and the engine) run in. */
  game: string;
  /** A second player's host, for a second capture at the same time (the benchmark's one-relay path). */
  game2: string;
  /** Each relay's data address, by node id. */
  data: Record<string, string>;
  /** Kills a relay outright (SIGKILL: no FIN, no goodbye), as a crashed or unreachable entry. */
  kill(id: string): Promise<void>;
  /** Starts a killed relay again with its config; resolves once it listens. */
  restart(id: string): Promise<void>;
  close(): Promise<void>;
}

function relayConfig(n: Node, keys: Map<string, string>): string {
  const pair = (a: string, b: string): string => keys.get(a < b ? `${a}-${b}` : `${b}-${a}`)!;
  const peers = NODES.filter((p) => p.id !== n.id)
    .map(
      (p) =>
        `[[mesh.peers]]\nnode_id = "${p.id}"\naddr = "127.0.0.1:${p.mesh}"\nkey = "${pair(n.id, p.id)}"\n`,
    )
    .join('');
  return (
    `[server]\nnode_id = "${n.id}"\nregion = "lab-${n.id}"\ndata_bind = "${n.data}"\nhealth_bind = "127.0.0.1:0"\n` +
    `[security]\nrequire_auth = false\nallow_destinations = ["198.18.0.0/15"]\n` +
    `[rate_limit]\npps = 20000\nbps = 50000000\n[control]\nenabled = false\n[log]\nlevel = "info"\n` +
    `[mesh]\nbind = "127.0.0.1:${n.mesh}"\nprobe_interval_ms = 100\n${peers}`
  );
}

export async function startMeshCaptureLab(): Promise<MeshCaptureLab> {
  const lab = new NetnsLab();
  let dir = '';
  try {
    const game = await lab.add('game');
    const relays = await lab.add('relays');
    const server = await lab.add('server');
    const game2 = await lab.add('game2');
    await lab.link(game, `${GAME_HOST}/24`, relays, `${GAME_SIDE}/24`);
    await lab.link(relays, `${EXIT_HOST}/24`, server, `${SERVER_HOST}/24`);
    await lab.ip(game, 'route', 'add', 'default', 'via', GAME_SIDE);
    await lab.link(game2, '198.18.3.2/24', relays, '198.18.3.1/24');
    await lab.ip(game2, 'route', 'add', 'default', 'via', '198.18.3.1');
    await lab.ip(server, 'route', 'add', 'default', 'via', EXIT_HOST);
    await lab.forwarding(relays);
    dir = await mkdtemp(path.join(tmpdir(), 'ls-mesh-capture-'));
    const keys = new Map<string, string>();
    for (const a of NODES)
      for (const b of NODES) if (a.id < b.id) keys.set(`${a.id}-${b.id}`, randomBytes(32).toString('base64'));
    const children = new Map<string, ChildProcess>();
    const start = async (id: string): Promise<void> => {
      const child = lab.spawn(relays, process.execPath, [
        RELAY_BIN,
        '--config',
        path.join(dir, `${id}.toml`),
      ]);
      await lines(child)((l) => l.includes('relay started'));
      children.set(id, child);
    };
    for (const n of NODES) {
      await writeFile(path.join(dir, `${n.id}.toml`), relayConfig(n, keys));
      await start(n.id);
    }
    const echo = lab.spawn(server, process.execPath, [
      path.join(PEERS, 'seen-echo.mjs'),
      SERVER_HOST,
      String(SERVER_PORT),
    ]);
    await lines(echo)((l) => l === 'ready');
    const tmp = dir;
    return {
      lab,
      game,
      game2,
      data: Object.fromEntries(NODES.map((n) => [n.id, n.data])),
      kill: async (id) => {
        const c = children.get(id)!;
        if (c.exitCode !== null || c.signalCode !== null) return;
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      },
      restart: start,
      close: async () => {
        await lab.close();
        await rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await lab.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
