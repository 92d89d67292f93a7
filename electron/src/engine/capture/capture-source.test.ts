/**
 * The capture flow source inside the real engine, on loopback, without root: a scripted platform backend
 * (the only part that needs privileges) stands where LinuxCapture would, behind the same interface; the
 * engine, tunnel flows, our relay and the game server are real. The namespace test covers the real backend.
 */
import { EchoServer } from '@lightspeed/shared/node';
import type { CaptureStatus } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { startTestRelay } from '@lightspeed/proxy-server';

import { BoostEngine, MlSelector, SelectorStore } from '../index.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { waitFor } from '../../test-support/wait.js';
import { ScriptedCapture as ScriptedBackend } from '../../test-support/scripted-capture.js';
import type { Endpoint } from './capture-backend.js';
import { validateTarget } from './capture-target.js';

const ep = (address: string, port: number): Endpoint => {
  const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
  return { address, ip: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, port };
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('capture as the engine’s flow source', () => {
  it('tunnels each (game socket, server) pair through the relay and replies as that server', async () => {
    const serverA = await EchoServer.start();
    const serverB = await EchoServer.start();
    const relay = await startLocalRelay();
    cleanups.push(
      () => serverA.stop(),
      () => serverB.stop(),
      () => relay.stop(),
    );
    const backend = new ScriptedBackend();
    const me = { pid: process.pid, name: 'game' };
    const engine = new BoostEngine({
      keepaliveMs: 100,
      statsIntervalMs: 100,
      flowIdleMs: 300,
      captureBackend: () => backend,
      listProcesses: () => Promise.resolve([me]),
    });
    const statuses: CaptureStatus[] = [];
    engine.subscribe((e) => {
      if (e.type === 'capture') statuses.push(e.capture);
    });
    await engine.start({
      routes: [],
      capture: { target: { kind: 'pid', pids: [process.pid] }, excludes: ['203.0.113.9'] },
      relays: [{ host: '127.0.0.1', port: relay.dataPort }],
      fecK: 4,
    });
    cleanups.push(() => engine.stop());
    // The relays are never captured, besides the user's own excludes.
    expect(backend.options?.excludes).toEqual(['127.0.0.1/32', '203.0.113.9']);
    expect(backend.targets[0]).toEqual({ pids: [process.pid] });
    expect(engine.getCapture()?.phase).toBe('waiting-for-traffic');

    const game1 = ep('127.0.0.1', 50000);
    const game2 = ep('127.0.0.1', 50001);
    const a = ep('127.0.0.1', serverA.port);
    const b = ep('127.0.0.1', serverB.port);
    backend.send(game1, a, 'one');
    backend.send(game1, b, 'two');
    backend.send(game2, a, 'three');
    await waitFor(() => backend.replies.length === 3, 5000, 'three replies');
    const seen = backend.replies.map((r) => `${r.game.port}>${r.server.port}:${r.payload.toString()}`).sort();
    expect(seen).toEqual(
      [`50000>${serverA.port}:one`, `50000>${serverB.port}:two`, `50001>${serverA.port}:three`].sort(),
    );
    // Three pairs: three tunnel flows (the relay gives each its own upstream socket).
    expect(serverA.peers.size).toBe(2);
    expect(serverB.peers.size).toBe(1);
    const status = engine.getCapture()!;
    expect(status.phase).toBe('capturing');
    expect(status.ports).toEqual([50000]);
    expect(status.servers).toEqual(
      expect.arrayContaining([
        { address: `127.0.0.1:${serverA.port}`, packets: 2, sockets: 2 },
        { address: `127.0.0.1:${serverB.port}`, packets: 1, sockets: 1 },
      ]),
    );
    expect(statuses.some((s) => s.phase === 'capturing')).toBe(true);

    // Idle pairs are dropped; a server's reply resources go with its last game socket.
    await waitFor(() => backend.released.length === 2, 5000, 'idle pairs released');
    expect(backend.released.map((s) => s.port).sort()).toEqual([serverA.port, serverB.port].sort());

    await engine.stop();
    expect(backend.stopped).toBe(1);
  });

  it('names the found server’s likely region once a relay reports its leg to it', async () => {
    const server = await EchoServer.start();
    cleanups.push(() => server.stop());
    const relays = [
      await startTestRelay({ server: { node_id: 'a', region: 'eu-west' } }),
      await startTestRelay({ server: { node_id: 'b', region: 'eu-central' } }),
    ];
    for (const r of relays) cleanups.push(() => r.stop());
    const backend = new ScriptedBackend();
    const engine = new BoostEngine({
      keepaliveMs: 100,
      statsIntervalMs: 100,
      rerankMs: 200,
      selector: new MlSelector({ store: new SelectorStore(null) }),
      captureBackend: () => backend,
      listProcesses: () => Promise.resolve([{ pid: process.pid, name: 'game' }]),
    });
    const statuses: CaptureStatus[] = [];
    engine.subscribe((e) => {
      if (e.type === 'capture') statuses.push(e.capture);
    });
    await engine.start({
      routes: [],
      capture: { target: { kind: 'pid', pids: [process.pid] } },
      relays: relays.map((r, i) => ({
        host: '127.0.0.1',
        port: r.dataPort,
        id: ['a', 'b'][i]!,
        region: r.config.server.region,
      })),
      fecK: 0,
    });
    cleanups.push(() => engine.stop());
    const game = ep('127.0.0.1', 50000);
    const target = ep('127.0.0.1', server.port);
    const sending = setInterval(() => backend.send(game, target, 'tick'), 20);
    cleanups.push(() => Promise.resolve(clearInterval(sending)));
    await waitFor(() => statuses.some((s) => s.servers[0]?.region !== undefined), 15_000, 'a server region');
    const region = statuses.find((s) => s.servers[0]?.region !== undefined)!.servers[0]!.region!;
    expect(region).toMatch(/^near eu-(west|central) \(\d+ ms from [ab]\)$/);
  });

  it('refuses a PID that does not run, and a game the catalog does not know', async () => {
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const backend = new ScriptedBackend();
    const engine = new BoostEngine({
      captureBackend: () => backend,
      listProcesses: () => Promise.resolve([]),
    });
    await expect(
      engine.start({
        routes: [],
        capture: { target: { kind: 'pid', pids: [999999] } },
        relays: [{ host: '127.0.0.1', port: relay.dataPort }],
        fecK: 0,
      }),
    ).rejects.toThrow(/no running process with pid 999999/);
    expect(engine.getState().state).toBe('error');
    expect(backend.events).toBeNull(); // nothing was diverted
    expect(validateTarget({ kind: 'game', gameId: 'no-such-game' })).toMatch(/not in the game catalog/);
    expect(validateTarget({ kind: 'pid', pids: [] })).toMatch(/pids/);
  });
});
