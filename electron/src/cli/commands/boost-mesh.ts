/**
 * `lightspeed boost … --exit NODE_ID|auto`: the boost through the relay mesh. The --relay addresses are
 * entry relays (in order of preference); NODE_ID names the mesh node that talks to the game server, `auto`
 * lets the entries' answers choose it (the shortest mesh path + leg to the server). With `auto` and no
 * entry that is a mesh node, the boost goes through one relay as without --exit.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import { legText } from '../../engine/mesh/exit-choice.js';
import { MeshBoost, NotAMeshError, type MeshBoostStats } from '../../engine/mesh/mesh-boost.js';
import { UsageError } from '../command.js';
import { openControls, untilSignal, type ControlArgs } from './engine-session.js';

export interface MeshBoostArgs {
  server: { host: string; port: number };
  relays: RelayEndpoint[];
  exit: string;
  multipath: boolean;
  localPort: number;
  keepaliveMs: number;
  manualToken: number | null;
  control: ControlArgs;
  json: boolean;
}

/** Checks --exit / --multipath; a bad value is a usage error. */
export function parseExitArgs(exit: string | undefined, multipath: boolean, relays: number): string | null {
  if (exit === undefined) {
    if (multipath)
      throw new UsageError('--multipath needs --exit NODE_ID (it sends through two mesh entries)');
    return null;
  }
  if (exit === '' || Buffer.byteLength(exit, 'utf8') > 64) {
    throw new UsageError('--exit: expected a relay node id (1..64 bytes)');
  }
  if (multipath && relays < 2) throw new UsageError('--multipath needs at least two --relay entries');
  return exit;
}

/** runMeshBoost's answer for `--exit auto` when no entry is a mesh node: boost through one relay instead. */
export const NOT_A_MESH = 'not-a-mesh';

export async function runMeshBoost(a: MeshBoostArgs): Promise<number | typeof NOT_A_MESH> {
  let token = a.manualToken ?? 0;
  let close = (): Promise<void> => Promise.resolve();
  if (a.manualToken === null && a.control.control !== 'off') {
    const controls = await openControls(a.control, 'boost');
    if (controls === null) return 1;
    token = controls.token; // with several relay hosts, openControls put each relay's own token on it
    close = () => controls.close();
  }
  const boost = new MeshBoost({
    server: a.server,
    entries: a.relays,
    exit: a.exit,
    localPort: a.localPort,
    token,
    keepaliveMs: a.keepaliveMs,
    multipath: a.multipath,
    onEntryChange: (game, from, to) => {
      const event = { type: 'mesh-entry', game, from: from?.name ?? null, to: to?.name ?? null };
      if (a.json) console.log(JSON.stringify(event));
      else console.log(`entry ${event.from ?? '-'} → ${event.to ?? 'none reaches the exit'} (game ${game})`);
    },
  });
  let port: number;
  try {
    port = await boost.start();
  } catch (err) {
    await boost.stop();
    await close();
    if (err instanceof NotAMeshError) {
      if (a.json) console.log(JSON.stringify({ type: 'mesh-exit', exit: null, why: err.message }));
      else console.log(`--exit auto: ${err.message}; boosting through one relay`);
      return NOT_A_MESH;
    }
    console.error(`lightspeed boost: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const server = `${a.server.host}:${a.server.port}`;
  const choice = boost.exitChoice;
  if (choice !== null) {
    if (a.json)
      console.log(
        JSON.stringify({ type: 'mesh-exit', exit: choice.exit, why: choice.why, exits: choice.exits }),
      );
    else {
      const legs = choice.exits.map((e) => `${e.node} ${legText(e)}`).join(', ');
      console.log(`exit ${choice.exit}: ${choice.why} (legs to the server: ${legs})`);
    }
  }
  if (a.json)
    console.log(JSON.stringify({ type: 'mesh', localPort: port, exit: boost.exit, multipath: a.multipath }));
  else {
    console.log(
      `boosting through the mesh: point the game at 127.0.0.1:${port} → entry → … → exit ${boost.exit} → ${server}` +
        `${a.multipath ? ' (multipath: two entries)' : ''}. Ctrl-C to stop.`,
    );
  }
  const timer = setInterval(() => printStats(boost.stats(), a.json), 1000);
  timer.unref();
  const sig = await untilSignal();
  clearInterval(timer);
  await boost.stop();
  await close();
  if (!a.json) console.log(`${sig} received: stopped`);
  return 0;
}

function printStats(s: MeshBoostStats, json: boolean): void {
  if (json) console.log(JSON.stringify({ type: 'mesh-stats', stats: s }));
  else {
    console.log(
      `mesh: ${s.sessions} game socket(s), up ${s.sent}, down ${s.delivered}, duplicates dropped ` +
        `${s.duplicatesDropped}, failovers ${s.failovers}, moves ${s.moves}, entries ${s.active.join(', ') || '-'}`,
    );
  }
}
