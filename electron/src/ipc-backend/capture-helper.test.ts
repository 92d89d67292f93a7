/**
 * The capture helper as the app uses it, in network namespaces (root; skipped, saying so, otherwise):
 * over stdio (Linux, pkexec) and over a pipe the helper connects back to with a one-time token (how a
 * UAC-elevated helper talks on Windows; a Unix socket here). Either way the game's traffic goes through
 * the relay, and stopping removes every rule.
 */
import net from 'node:net';
import path from 'node:path';

import { canUseNetns } from '@lightspeed/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CLI,
  PEERS,
  RELAY_ADDR,
  RELAY_HOST,
  SERVER_HOST,
  SERVER_PORT,
  startCaptureLab,
  type CaptureLab,
} from '../test-support/capture-lab.js';
import { lines, type NextLine } from '../test-support/child-lines.js';
import { waitFor } from '../test-support/wait.js';
import { pipeChannel, stdioChannel, type HelperLauncher } from './capture-channel.js';
import { CaptureHelperEngine } from './capture-helper.js';

describe.skipIf(!canUseNetns())('the capture helper, over stdio and over a pipe (root)', () => {
  let net0: CaptureLab;
  let gamePid = 0;
  let game: NextLine;
  let report: () => Promise<{ seen: Record<string, number> }>;

  beforeAll(async () => {
    net0 = await startCaptureLab();
    const child = net0.lab.spawn(net0.game, process.execPath, [
      path.join(PEERS, 'game.mjs'),
      SERVER_HOST,
      String(SERVER_PORT),
      '10',
    ]);
    gamePid = child.pid!;
    game = lines(child);
    await game((l) => l.includes('"ready"'));
    report = async () => {
      child.stdin!.write('report\n');
      await game((l) => l.startsWith('{"sent"'));
      await new Promise((r) => setTimeout(r, 600));
      child.stdin!.write('report\n');
      return JSON.parse(await game((l) => l.startsWith('{"sent"'))) as { seen: Record<string, number> };
    };
  }, 60_000);

  afterAll(async () => {
    await net0?.close();
  });

  const inGame = (args: string[]): string[] => [
    'ip',
    'netns',
    'exec',
    net0.game,
    process.execPath,
    CLI,
    ...args,
  ];
  const noRules = async (): Promise<boolean> =>
    !/\blightspeed\b/.test(await net0.lab.exec(net0.game, 'nft', ['list', 'tables']));

  async function boostThrough(launch: HelperLauncher): Promise<void> {
    const engine = new CaptureHelperEngine({
      keepaliveMs: 200,
      launch,
      prober: { probe: () => Promise.resolve([]) },
    });
    await engine.start({
      routes: [],
      capture: { target: { kind: 'pid', pids: [gamePid] } },
      relays: [{ host: RELAY_HOST, port: Number(RELAY_ADDR.split(':')[1]) }],
      fecK: 4,
    });
    await waitFor(() => engine.getState().state === 'active', 10_000, 'active');
    expect(Object.keys((await report()).seen)).toEqual([RELAY_HOST]);
    await engine.stop();
    expect(await noRules()).toBe(true);
    expect(Object.keys((await report()).seen)).toEqual(['198.18.1.2']);
  }

  it('over stdio', async () => {
    const { spawn } = await import('node:child_process');
    await boostThrough((args) => {
      const [bin, ...rest] = inGame(args);
      return Promise.resolve(stdioChannel(spawn(bin!, rest, { stdio: 'pipe' })));
    });
  });

  it('over a pipe the helper connects back to, ignoring a connection without the token', async () => {
    const { spawn } = await import('node:child_process');
    await boostThrough((args) =>
      pipeChannel((address, token) => {
        // An impostor connects first: it is dropped, and the real helper is still taken.
        net
          .connect(address)
          .on('error', () => undefined)
          .end('not-the-token\n{"type":"started"}\n');
        const [bin, ...rest] = inGame([...args, '--connect', address, '--connect-token', token]);
        spawn(bin!, rest, { stdio: 'ignore' });
      }),
    );
  });
});
