/**
 * The capture topology in network namespaces (root only), shared by the capture test and benchmark:
 *
 *   game ns 198.18.1.2 ── router ns 198.18.1.1 | 198.18.2.1 (our relay, data plane :4434)
 *                                                   ── server ns 198.18.2.2:7777 (echo that names who it saw)
 *
 * 198.18.0.0/15 is the benchmarking range: nothing outside these namespaces is ever addressed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { NetnsLab } from '@lightspeed/shared/node';

import { lines } from './child-lines.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(repo, 'electron/bin/lightspeed.js');
export const PEERS = path.join(repo, 'electron/src/test-support/netns');
const RELAY_BIN = path.join(repo, 'proxy-server/bin/lightspeed-proxy.js');

export const GAME_HOST = '198.18.1.2';
/** The relay's address, which the game server sees (our relay sends upstream from its data_bind host). */
export const RELAY_HOST = '198.18.1.1';
const ROUTER_SERVER_SIDE = '198.18.2.1';
export const SERVER_HOST = '198.18.2.2';
export const SERVER_PORT = 7777;
export const RELAY_ADDR = `${RELAY_HOST}:4434`;

export interface CaptureLab {
  lab: NetnsLab;
  /** The namespace the game (and the engine) run in. */
  game: string;
  close(): Promise<void>;
}

export async function startCaptureLab(): Promise<CaptureLab> {
  const lab = new NetnsLab();
  let dir = '';
  try {
    const game = await lab.add('game');
    const router = await lab.add('router');
    const server = await lab.add('server');
    await lab.link(game, `${GAME_HOST}/24`, router, `${RELAY_HOST}/24`);
    await lab.link(router, `${ROUTER_SERVER_SIDE}/24`, server, `${SERVER_HOST}/24`);
    await lab.ip(game, 'route', 'add', 'default', 'via', RELAY_HOST);
    await lab.ip(server, 'route', 'add', 'default', 'via', ROUTER_SERVER_SIDE);
    await lab.forwarding(router);
    dir = await mkdtemp(path.join(tmpdir(), 'ls-capture-'));
    const config = path.join(dir, 'relay.toml');
    await writeFile(
      config,
      `[server]\nnode_id = "router"\ndata_bind = "${RELAY_ADDR}"\nhealth_bind = "127.0.0.1:0"\n` +
        `[security]\nrequire_auth = false\nallow_destinations = ["198.18.0.0/15"]\n` +
        `[rate_limit]\npps = 20000\nbps = 50000000\n[control]\nenabled = false\n[log]\nlevel = "info"\n`,
    );
    const relay = lab.spawn(router, process.execPath, [RELAY_BIN, '--config', config]);
    await lines(relay)((l) => l.includes('relay started'));
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
