/**
 * `lightspeed boost --fec adaptive` as a child process (the built CLI; `npm test` builds first): it
 * carries a game through our relay with v3 negotiated, and through a deployed-style relay on the v2
 * fallback, losing nothing on a clean path either way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

import type { Relay } from '@lightspeed/proxy-server';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { DeployedStyleRelay } from '../../test-support/deployed-relay.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

const running: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((res) => probe.bind({ address: '127.0.0.1', port: 0 }, () => res()));
  const port = probe.address().port;
  await new Promise<void>((res) => probe.close(() => res()));
  return port;
}

/** Runs `boost --json --fec adaptive` and returns its parsed JSON events as they come. */
function boost(server: number, relay: number, localPort: number): { events: unknown[]; child: ChildProcess } {
  const args = ['boost', '--server', `127.0.0.1:${server}`, '--relay', `127.0.0.1:${relay}`];
  args.push('--local-port', String(localPort), '--control', 'off', '--fec', 'adaptive', '--json');
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const events: unknown[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const line of parts) if (line.startsWith('{')) events.push(JSON.parse(line));
  });
  return { events, child };
}

const fecVersions = (events: unknown[]): number[] =>
  events.flatMap((e) => {
    const ev = e as { type?: string; stats?: { fecVersion?: number } };
    return ev.type === 'stats' && ev.stats?.fecVersion !== undefined ? [ev.stats.fecVersion] : [];
  });

async function carry(relayPort: number, echo: EchoServer): Promise<number[]> {
  const localPort = await freePort();
  const { events, child } = boost(echo.port, relayPort, localPort);
  await waitFor(
    () => events.some((e) => (e as { type?: string }).type === 'routes'),
    10_000,
    'boost to start',
  );
  const game = await GameTrafficClient.start({
    target: { host: '127.0.0.1', port: localPort },
    pps: 100,
    count: 300,
  });
  cleanups.push(() => game.close());
  await game.finished();
  await waitFor(() => game.stats().received === 300, 5000, 'every echo back through the CLI');
  expect(game.stats().duplicates).toBe(0);
  await waitFor(() => fecVersions(events).length >= 2, 5000, 'stats events');
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.kill('SIGINT');
  expect(await exit).toBe(0);
  return fecVersions(events);
}

describe('lightspeed boost --fec adaptive', () => {
  it('through our relay: v3 is negotiated and the game loses nothing', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay: Relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const versions = await carry(relay.dataPort, echo);
    expect(versions.at(-1)).toBe(3);
    expect(echo.packets).toBe(300); // the offer never reached the game server
  });

  it('through a deployed-style relay: it falls back to v2 K = 4 and the game loses nothing', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    const versions = await carry(relay.port, echo);
    expect(versions.at(-1)).toBe(2);
    expect(relay.stats.refused).toBeGreaterThanOrEqual(1); // the offers, refused for their zeroed destination
    expect(relay.stats.malformed).toBe(0);
    expect(echo.packets).toBe(300);
  });
});
