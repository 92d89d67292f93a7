/**
 * The mesh engine behind the backend's engine interface: through a loopback mesh it reports the route of
 * each entry and the engine's states; with exit 'auto' and a relay that is not a mesh node it hands the
 * session to the single-relay engine, which carries it as without the mesh.
 */
import dgram from 'node:dgram';

import type { BoostStateName, BoostStats, EngineEvent, SessionSummary } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { startMeshLab, startTestRelay, type MeshLab, type Relay } from '@lightspeed/proxy-server';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from '../boost-engine.js';
import { MeshEngine } from './mesh-engine.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function roundTrip(port: number): Promise<string> {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<string>((r) => s.once('message', (m) => r(String(m))));
    for (let i = 0; i < 20; i++) {
      s.send('ping', port, '127.0.0.1');
      const r = await Promise.race([got, sleep(100).then(() => null)]);
      if (r !== null) return r;
    }
    return 'no answer';
  } finally {
    s.close();
  }
}

describe('MeshEngine', () => {
  let lab: MeshLab | null = null;
  let relay: Relay | null = null;
  let echo: EchoServer | null = null;
  let engine: MeshEngine | null = null;
  afterEach(async () => {
    await engine?.stop();
    await lab?.stop();
    await relay?.stop();
    await echo?.stop();
    engine = lab = relay = echo = null;
  });

  it('through the mesh: states, the route of each entry, replies to the game', async () => {
    lab = await startMeshLab({ delays: { 'r1-r3': 60 }, probeIntervalMs: 100 });
    echo = await EchoServer.start();
    const r1 = lab.relay('r1').mesh!;
    // Routes follow live measurements: wait until the slow link is measured slow and r3 is reached via r2.
    const settled = (): boolean =>
      (r1.matrixTable().r1?.r3?.rtt_ms ?? 0) >= 100 && r1.routeTable().r3?.join() === 'r1,r2,r3';
    for (let i = 0; i < 200 && !settled(); i++) await sleep(50);
    expect(settled()).toBe(true);
    const states: BoostStateName[] = [];
    engine = new MeshEngine({
      exit: 'r3',
      multipath: true,
      keepaliveMs: 100,
      fallback: () => new BoostEngine({ keepaliveMs: 100 }),
    });
    engine.subscribe((e: EngineEvent) => {
      if (e.type === 'state') states.push(e.state.state);
    });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: ['r1', 'r2'].map((n) => ({ host: '127.0.0.1', port: lab!.relay(n).dataPort })),
      fecK: 0,
    });
    expect(states).toEqual(['connecting', 'active']);
    expect(engine.meshRoute()).toEqual({
      exit: 'r3',
      why: null,
      multipath: true,
      paths: [
        { entry: 'r1', route: ['r1', 'r2', 'r3'] },
        { entry: 'r2', route: ['r2', 'r3'] },
      ],
      failovers: 0,
      moves: 0,
    });
    expect(await roundTrip(engine.getRoutes()[0]!.localPort)).toBe('ping');
    expect(lab.relay('r3').mesh!.flows().exit).toBe(1);
    // A stats tick: the entry's keepalive RTT, nothing lost on loopback, the packets counted.
    let stats: BoostStats | null = null;
    engine.subscribe((e) => {
      if (e.type === 'stats') stats = e.stats;
    });
    for (let i = 0; i < 60 && (stats === null || (stats as BoostStats).rtt === null); i++) await sleep(50);
    const s = stats as BoostStats | null;
    expect(s?.rtt?.p50).toBeGreaterThan(0);
    expect(s?.packetsUp).toBeGreaterThanOrEqual(1);
    expect(s?.packetsDown).toBe(1);
    expect(s?.relay?.id).toBe('r1');
    const summaries: SessionSummary[] = [];
    engine.subscribe((e) => {
      if (e.type === 'summary') summaries.push(e.summary);
    });
    await engine.stop('done');
    expect(states.at(-1)).toBe('stopped');
    // The summary comes before 'stopped', with the entry that carried the session.
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.relays).toEqual(['r1']);
    expect(summaries[0]!.pingP50Ms).toBeGreaterThan(0);
    expect(summaries[0]!.lossBeforeFec).toBe(0);
  });

  it("exit 'auto' and a relay that is not a mesh node: the single-relay engine carries the session", async () => {
    relay = await startTestRelay();
    echo = await EchoServer.start();
    engine = new MeshEngine({
      exit: 'auto',
      multipath: false,
      keepaliveMs: 100,
      fallback: () => new BoostEngine({ keepaliveMs: 100 }),
    });
    const states: BoostStateName[] = [];
    engine.subscribe((e) => {
      if (e.type === 'state') states.push(e.state.state);
    });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: relay.dataPort }],
      fecK: 0,
    });
    expect(engine.meshRoute()).toBeNull();
    expect(await roundTrip(engine.getRoutes()[0]!.localPort)).toBe('ping');
    expect(engine.getState().state).toBe('active');
    // The mesh's own 'connecting' and then the single-relay engine's states.
    expect(states[0]).toBe('connecting');
    expect(states).toContain('active');
  });
});
