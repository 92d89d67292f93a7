/**
 * `lightspeed boost` (the built CLI as a child process; `npx tsc -b electron` first) registers through a
 * require_auth relay's control plane and carries every packet; pointed at a relay with no control plane
 * it says so and goes on token-less.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/engine/control/boost-control.js', import.meta.url));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error('electron/dist is missing: build first with `npx tsc -b electron`');
});

function boost(args: string[]): { child: ChildProcess; out: string[]; err: string[] } {
  const child = spawn(process.execPath, [BIN, 'boost', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr.on('data', (d: Buffer) => err.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise((resolve) => child.on('close', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, out, err };
}

async function relayWith(
  requireAuth: boolean,
  control: boolean,
): Promise<{ relay: Relay; echo: EchoServer }> {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relay = await startTestRelay({
    server: { node_id: 'cli-relay', region: 'lab' },
    security: { require_auth: requireAuth },
    control: { enabled: control },
  });
  cleanups.push(() => relay.stop());
  return { relay, echo };
}

const localPortOf = (out: string[]): number => {
  const line = out.find((l) => l.startsWith('boosting:'))!;
  return Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
};

describe('lightspeed boost with the control plane', () => {
  it('registers with a require_auth relay (pinned certificate) and relays everything', async () => {
    const { relay, echo } = await relayWith(true, true);
    const r = boost([
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--control',
      `127.0.0.1:${relay.controlPort}`,
      '--cert-sha256',
      relay.certSha256!,
      '--game-id',
      '2',
      '--keepalive-ms',
      '100',
    ]);
    await waitFor(() => r.out.some((l) => l.startsWith('boosting:')), 15_000, 'boost to start');
    expect(r.err.join('\n')).toMatch(/control: registered at 127\.0\.0\.1:\d+ with cli-relay \(lab\)/);
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: localPortOf(r.out) },
      pps: 100,
      count: 100,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received === 100, 10_000, 'all 100 echoes');
    expect(echo.packets).toBe(100);
  });

  it('refuses to go on when the pinned fingerprint does not match', async () => {
    const { relay, echo } = await relayWith(true, true);
    const r = boost([
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--control',
      `127.0.0.1:${relay.controlPort}`,
      '--cert-sha256',
      'cd'.repeat(32),
    ]);
    const code = await new Promise((resolve) => r.child.on('close', resolve));
    expect(code).toBe(1);
    expect(r.err.join('\n')).toMatch(/control plane: relay certificate .* does not match the pinned SHA-256/);
  });

  it('reports a relay without a control plane and boosts token-less where the relay allows it', async () => {
    const { relay, echo } = await relayWith(false, false);
    const r = boost([
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--control',
      `127.0.0.1:${relay.dataPort}`,
    ]);
    await waitFor(() => r.out.some((l) => l.startsWith('boosting:')), 15_000, 'boost to start');
    expect(r.err.join('\n')).toMatch(
      /no QUIC control plane answered at 127\.0\.0\.1:\d+ .*without a session token/,
    );
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: localPortOf(r.out) },
      pps: 100,
      count: 20,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received === 20, 10_000, 'echoes token-less');
  });

  it('listens on the local port at once, while a silent control plane is still timing out', async () => {
    const { relay, echo } = await relayWith(false, false);
    const t0 = Date.now();
    const r = boost([
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--control',
      `127.0.0.1:${relay.dataPort}`, // UDP that never speaks QUIC: the client waits out its 3 s timeout
    ]);
    await waitFor(() => r.out.some((l) => l.startsWith('listening on')), 15_000, 'the listening line');
    const listeningAfterMs = Date.now() - t0;
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(r.out.find((l) => l.startsWith('listening on'))!)![1]);
    // The port is really bound now: a second socket cannot take it.
    const probe = createSocket('udp4');
    const bindError = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      probe.once('error', resolve);
      probe.bind(port, '127.0.0.1', () => resolve(null));
    });
    probe.close();
    expect(bindError?.code).toBe('EADDRINUSE');
    expect(r.out.some((l) => l.startsWith('boosting:'))).toBe(false); // registration still pending
    await waitFor(() => r.out.some((l) => l.startsWith('boosting:')), 15_000, 'boost to start');
    const boostingAfterMs = Date.now() - t0;
    // Listening did not wait for the control plane's timeout; the relay link did.
    expect(boostingAfterMs - listeningAfterMs).toBeGreaterThan(1500);
    expect(localPortOf(r.out)).toBe(port);
  });
});
