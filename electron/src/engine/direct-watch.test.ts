/**
 * The live "without LightSpeed → with" comparison (direct-watch.ts) in a real engine on loopback: a game
 * server whose direct path is slow (a 20 ms-each-way link for datagrams from the client's own address) and
 * a relay with a fast one; and a game server that answers nothing, which must read "not measured".
 */
import dgram from 'node:dgram';

import type { DirectComparison, SessionSummary } from '@lightspeed/shared';
import { EchoServer, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { DirectWatch } from './direct-watch.js';
import { BoostEngine, type EngineEvent } from './index.js';
import { startLocalRelay } from '../test-support/local-relay.js';
import { sourceRouter } from '../test-support/source-router.js';
import { waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function collect(engine: BoostEngine): { direct: DirectComparison[]; summary: () => SessionSummary | null } {
  const direct: DirectComparison[] = [];
  let summary: SessionSummary | null = null;
  engine.subscribe((e: EngineEvent) => {
    if (e.type === 'direct') direct.push(e.direct);
    if (e.type === 'summary') summary = e.summary;
  });
  return { direct, summary: () => summary };
}

describe('direct path comparison', () => {
  it('measures the direct path and the relay path with the same probe, live and in the summary', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const slow = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: echo.port },
      delayMs: 20,
    });
    cleanups.push(() => slow.stop());
    // The client's own datagrams (from 127.0.0.1) take the slow link; the relay's (127.0.0.3) do not.
    const server = await sourceRouter(echo.port, '127.0.0.1', slow.port);
    cleanups.push(() => server.close());
    const relay = await startLocalRelay({ host: '127.0.0.3' });
    cleanups.push(() => relay.stop());

    const engine = new BoostEngine({
      keepaliveMs: 200,
      direct: { everyMs: 400, warp: () => Promise.resolve({ installed: true, connected: true }) },
    });
    const seen = collect(engine);
    cleanups.push(() => engine.stop());
    await engine.start({
      routes: [{ server: `127.0.0.1:${server.port}` }],
      relays: [{ host: '127.0.0.3', port: relay.dataPort, id: 'r' }],
      fecK: 0,
    });
    expect(seen.direct[0]?.state).toBe('measuring');
    await waitFor(() => seen.direct.filter((d) => d.state === 'measured').length >= 2, 10_000, 'two rounds');
    const live = seen.direct.filter((d) => d.state === 'measured').at(-1)!;
    expect(live).toMatchObject({ server: `127.0.0.1:${server.port}`, relay: 'r', warp: { connected: true } });
    expect(live.directMs).toBeGreaterThan(40);
    expect(live.boostedMs).toBeLessThan(live.directMs! - 20);
    expect(live.msSaved).toBeCloseTo(live.directMs! - live.boostedMs!, 9);
    expect(live.note).toMatch(
      /^without LightSpeed [\d.]+ ms → with [\d.]+ ms \(the direct path goes through Cloudflare WARP\)$/,
    );
    expect(engine.getDirect()).toEqual(live);
    // The probes reached the game server (directly and through the relay), counted apart from game data.
    expect(echo.probes).toBeGreaterThanOrEqual(10);
    expect(echo.packets).toBe(0);

    await engine.stop();
    const s = seen.summary()!;
    expect(s.directMs).toBeGreaterThan(40);
    expect(s.msSavedVsDirect).toBeGreaterThan(20);
    expect(s.msSavedVsDirect).toBeCloseTo(s.directMs! - s.boostedMs!, 9);
    expect(s.directNote).toBeUndefined();
  }, 30_000);

  it('says "not measured" when the game server answers no probe, and the summary says why', async () => {
    const silent = dgram.createSocket('udp4');
    let received = 0;
    silent.on('message', () => received++);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => void silent.close());
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());

    const engine = new BoostEngine({
      keepaliveMs: 200,
      direct: { everyMs: 200, warp: () => Promise.resolve({ installed: false, connected: false }) },
    });
    const seen = collect(engine);
    cleanups.push(() => engine.stop());
    await engine.start({
      routes: [{ server: `127.0.0.1:${silent.address().port}` }],
      relays: [{ host: '127.0.0.1', port: relay.dataPort }],
      fecK: 0,
    });
    await waitFor(() => seen.direct.some((d) => d.state === 'no-answer'), 10_000, 'no-answer');
    const last = seen.direct.at(-1)!;
    expect(last).toMatchObject({ state: 'no-answer', directMs: null, msSaved: null });
    expect(last.note).toMatch(/^not measured: the game server answers no light probe/);
    // The probes went to the game server (and only there), and stop after two silent rounds.
    expect(received).toBeGreaterThanOrEqual(10);
    const after = received;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(received).toBe(after);

    await engine.stop();
    expect(seen.summary()).toMatchObject({
      msSavedVsDirect: null,
      directMs: null,
      directNote: expect.stringMatching(/answers no light probe/) as unknown,
    });
  }, 30_000);

  it('keeps the direct number but no "ms saved" when the relay path gets no answer', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const silentRelay = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silentRelay.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => void silentRelay.close());
    const updates: DirectComparison[] = [];
    const watch = new DirectWatch({
      server: { address: '127.0.0.1', ip: 0x7f000001, port: echo.port },
      label: `127.0.0.1:${echo.port}`,
      relay: () => ({ id: 'mute', endpoint: { host: '127.0.0.1', port: silentRelay.address().port } }),
      probe: { count: 3, spacingMs: 10, timeoutMs: 300 },
      warp: () => Promise.resolve({ installed: false, connected: false }),
      onUpdate: (c) => updates.push(c),
    });
    cleanups.push(() => watch.stop());
    await watch.round();
    expect(updates.at(-1)).toMatchObject({
      state: 'measured',
      relay: 'mute',
      boostedMs: null,
      msSaved: null,
    });
    expect(updates.at(-1)!.directMs).toBeGreaterThan(0);
    expect(updates.at(-1)!.note).toMatch(/the relay path got no answer$/);
    expect(watch.totals()).toMatchObject({
      boostedMs: null,
      note: 'not measured: the relay path got no answer to the probe',
    });
  });
});
