/**
 * The mesh engine in capture mode, on loopback without root: a scripted platform backend (the only part
 * that needs privileges; the namespace test covers the real one) feeds the same CaptureSource the
 * single-relay engine uses; the mesh relays, the exit's sockets and the game servers are real.
 */
import type { CaptureStatus } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { startMeshLab, startTestRelay } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { ScriptedCapture } from '../../test-support/scripted-capture.js';
import { waitFor } from '../../test-support/wait.js';
import { BoostEngine } from '../boost-engine.js';
import type { Endpoint } from '../capture/capture-backend.js';
import { MeshEngine } from './mesh-engine.js';

const ep = (port: number): Endpoint => ({ address: '127.0.0.1', ip: 0x7f000001, port });
const me = { pid: process.pid, name: 'game' };
const capture = { target: { kind: 'pid' as const, pids: [process.pid] } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function echo(): Promise<EchoServer> {
  const e = await EchoServer.start();
  cleanups.push(() => e.stop());
  return e;
}

function meshEngine(exit: string, backend: ScriptedCapture): MeshEngine {
  const engine = new MeshEngine({
    exit,
    multipath: false,
    keepaliveMs: 100,
    fallback: () =>
      new BoostEngine({
        keepaliveMs: 100,
        captureBackend: () => backend,
        listProcesses: () => Promise.resolve([me]),
      }),
    captureBackend: () => backend,
    listProcesses: () => Promise.resolve([me]),
  });
  cleanups.push(() => engine.stop());
  return engine;
}

describe('the mesh engine in capture mode', () => {
  it('each (game socket, server) pair is its own session at the exit; replies come back as that server', async () => {
    const lab = await startMeshLab({ probeIntervalMs: 100 });
    cleanups.push(() => lab.stop());
    await waitFor(() => lab.relay('r1').mesh!.reachable('r3'), 10_000, 'mesh routes');
    const [a, b] = [await echo(), await echo()];
    const backend = new ScriptedCapture();
    const engine = meshEngine('r3', backend);
    const statuses: CaptureStatus[] = [];
    engine.subscribe((e) => {
      if (e.type === 'capture') statuses.push(e.capture);
    });
    await engine.start({
      routes: [],
      capture,
      relays: ['r1', 'r2'].map((n) => ({ host: '127.0.0.1', port: lab.relay(n).dataPort })),
      fecK: 0,
    });
    // The entries are never captured; nothing is sent before the game is.
    expect(backend.options?.excludes).toContain('127.0.0.1/32');
    expect(engine.getState().state).toBe('active');
    expect(engine.getRoutes()).toEqual([]);

    backend.send(ep(50000), ep(a.port), 'one');
    backend.send(ep(50000), ep(b.port), 'two');
    backend.send(ep(50001), ep(a.port), 'three');
    await waitFor(() => backend.replies.length === 3, 5000, 'three replies');
    const seen = backend.replies.map((r) => `${r.game.port}>${r.server.port}:${r.payload.toString()}`).sort();
    expect(seen).toEqual([`50000>${a.port}:one`, `50000>${b.port}:two`, `50001>${a.port}:three`].sort());
    // Three pairs, three sessions at the exit, each with its own server-facing socket.
    expect(lab.relay('r3').mesh!.flows().exit).toBe(3);
    expect(a.peers.size).toBe(2);
    expect(b.peers.size).toBe(1);
    expect(statuses.at(-1)?.phase).toBe('capturing');
    // The route of the entry carrying it, learned once the first server's exit was known.
    await waitFor(() => engine.meshRoute()?.paths[0]?.entry === 'r1', 5000, 'the mesh route');
    expect(engine.meshRoute()).toMatchObject({ exit: 'r3', multipath: false });
    expect(engine.meshRoute()!.paths[0]!.route.at(-1)).toBe('r3');

    await engine.stop('done');
    expect(backend.stopped).toBe(1);
    expect(engine.getState().state).toBe('stopped');
  });

  it("exit 'auto': chosen at each server's first datagram (nothing measured: the entry itself)", async () => {
    const lab = await startMeshLab({ nodes: ['r1', 'r2'], probeIntervalMs: 100 });
    cleanups.push(() => lab.stop());
    await waitFor(() => lab.relay('r1').mesh!.reachable('r2'), 10_000, 'mesh routes');
    const server = await echo();
    const backend = new ScriptedCapture();
    const engine = meshEngine('auto', backend);
    await engine.start({
      routes: [],
      capture,
      relays: [{ host: '127.0.0.1', port: lab.relay('r1').dataPort }],
      fecK: 0,
    });
    // A mesh node answered; the exit waits for a server.
    expect(engine.meshRoute()?.exit).toBe('auto');
    backend.send(ep(50000), ep(server.port), 'hello');
    await waitFor(() => backend.replies.length === 1, 5000, 'the reply');
    expect(backend.replies[0]!.payload.toString()).toBe('hello');
    expect(engine.meshRoute()).toMatchObject({ exit: 'r1' });
    expect(engine.meshRoute()!.why).toMatch(/no mesh node has measured/);
    expect(lab.relay('r1').mesh!.flows().exit).toBe(1);
  });

  it("exit 'auto' and no entry that is a mesh node: the single-relay engine carries the capture", async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.stop());
    const server = await echo();
    const backend = new ScriptedCapture();
    const engine = meshEngine('auto', backend);
    await engine.start({
      routes: [],
      capture,
      relays: [{ host: '127.0.0.1', port: relay.dataPort }],
      fecK: 0,
    });
    expect(engine.meshRoute()).toBeNull();
    backend.send(ep(50000), ep(server.port), 'plain');
    await waitFor(() => backend.replies.length === 1, 5000, 'the reply');
    expect(backend.replies[0]!.payload.toString()).toBe('plain');
    expect(engine.getState().state).toBe('active');
  });
});
