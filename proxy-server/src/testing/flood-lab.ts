/**
 * The namespace lab with the real relay CLI running in it: used by the flood test and the flood benchmark.
 * The relay and an echo server run in the relay namespace; players and flooders are started per trial.
 * Needs root and a built dist/ (the processes run the compiled CLI and traffic roles).
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createNetnsLab, jsonLine, spawnInNs, stopChild, type NetnsLab } from './netns.js';

const pkgRoot = new URL('../../', import.meta.url).pathname;
const cli = join(pkgRoot, 'bin/lightspeed-proxy.js');
const traffic = join(pkgRoot, 'dist/testing/ns-traffic.js');

export const DATA_PORT = 4434;

export interface PlayerResult {
  sent: number;
  received: number;
  loss_pct: number;
  p50_us: number;
  p99_us: number;
}

export interface FloodResult {
  sent: number;
  offered_pps: number;
}

export interface FloodLab {
  lab: NetnsLab;
  configPath: string;
  /** `lightspeed-proxy firewall apply|remove` inside the relay namespace; returns exit status and output. */
  firewall(action: 'apply' | 'remove'): { status: number | null; stdout: string; stderr: string };
  /** `nft list tables` inside the relay namespace. */
  tables(): string;
  /** Kernel UDP counters (/proc/net/snmp) per namespace: where datagrams were dropped. */
  udpCounters(): Record<'relay' | 'player' | 'flood', Record<string, number>>;
  /**
   * One player trial, with a flood from the flooder namespace at `floodPps` (0 = full speed, null = none)
   * by `flooders` processes (default 1) sharing that rate, all from the flooder's one address.
   */
  trial(o: { pps: number; durationMs: number; floodPps: number | null; flooders?: number }): Promise<{
    player: PlayerResult;
    flood: FloodResult | null;
  }>;
  close(): Promise<void>;
}

/** Builds the lab and starts the relay (config: `extraToml` appended) and the echo server in it. */
export async function startFloodLab(tag: string, extraToml = ''): Promise<FloodLab> {
  const lab = createNetnsLab(tag);
  const dir = mkdtempSync(join(tmpdir(), 'ls-flood-lab-'));
  const children: ChildProcess[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const echo = spawnInNs(lab.relayNs, [process.execPath, traffic, 'echo']);
    children.push(echo);
    const { port: echoPort } = await jsonLine<{ port: number }>(
      echo,
      (v) => typeof v.port === 'number',
      10_000,
    );
    const configPath = join(dir, 'relay.toml');
    writeFileSync(
      configPath,
      `[server]
node_id = "flood-lab"
data_bind = "0.0.0.0:${DATA_PORT}"
health_bind = "127.0.0.1:8080"
control_bind = "127.0.0.1:4433"
[security]
require_auth = false
allow_destinations = ["127.0.0.0/8"]
[control]
enabled = false
[log]
level = "info"
${extraToml}`,
    );
    const relay = spawnInNs(lab.relayNs, [process.execPath, cli, '--config', configPath]);
    children.push(relay);
    await jsonLine(relay, (v) => v.msg === 'relay started', 15_000);
    const inRelayNs = (argv: string[]) => {
      const r = spawnSync('ip', ['netns', 'exec', lab.relayNs, ...argv], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    return {
      lab,
      configPath,
      firewall: (action) =>
        inRelayNs([
          process.execPath,
          cli,
          'firewall',
          action,
          ...(action === 'apply' ? ['--config', configPath] : []),
        ]),
      tables: () => inRelayNs(['nft', 'list', 'tables']).stdout,
      udpCounters: () => {
        const read = (ns: string): Record<string, number> => {
          const r = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], { encoding: 'utf8' });
          const udp = r.stdout.split('\n').filter((l) => l.startsWith('Udp:'));
          const keys = udp[0]?.split(/\s+/).slice(1) ?? [];
          const vals = udp[1]?.split(/\s+/).slice(1) ?? [];
          return Object.fromEntries(keys.map((k, i) => [k, Number(vals[i])]));
        };
        return { relay: read(lab.relayNs), player: read(lab.playerNs), flood: read(lab.floodNs) };
      },
      async trial({ pps, durationMs, floodPps, flooders = 1 }) {
        const flooderProcs: ChildProcess[] = [];
        let floodResult: Promise<FloodResult> | null = null;
        if (floodPps !== null) {
          const results: Promise<FloodResult>[] = [];
          for (let i = 0; i < flooders; i++) {
            const flooder = spawnInNs(lab.floodNs, [
              process.execPath,
              traffic,
              'flood',
              '--target',
              `${lab.relayIpForFlooder}:${DATA_PORT}`,
              '--pps',
              String(Math.ceil(floodPps / flooders)),
              // The flood starts before the player and ends after it.
              '--duration-ms',
              String(durationMs + 1500),
            ]);
            flooderProcs.push(flooder);
            results.push(
              jsonLine<FloodResult>(flooder, (v) => typeof v.offered_pps === 'number', durationMs + 20_000),
            );
          }
          floodResult = Promise.all(results).then((rs) => ({
            sent: rs.reduce((n, r) => n + r.sent, 0),
            offered_pps: rs.reduce((n, r) => n + r.offered_pps, 0),
          }));
          floodResult.catch(() => undefined);
          await new Promise((r) => setTimeout(r, 500));
        }
        const player = spawnInNs(lab.playerNs, [
          process.execPath,
          traffic,
          'player',
          '--relay',
          `${lab.relayIpForPlayer}:${DATA_PORT}`,
          '--echo-port',
          String(echoPort),
          '--pps',
          String(pps),
          '--duration-ms',
          String(durationMs),
        ]);
        try {
          const result = await jsonLine<PlayerResult>(
            player,
            (v) => typeof v.loss_pct === 'number',
            durationMs + 20_000,
          );
          return { player: result, flood: floodResult ? await floodResult : null };
        } finally {
          await stopChild(player);
          await Promise.all(flooderProcs.map(stopChild));
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
