import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from './index.js';
import type { EngineEvent } from './index.js';
import { DeployedStyleRelay } from '../test-support/deployed-relay.js';
import { waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(fecK: number) {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relay = await DeployedStyleRelay.start();
  cleanups.push(() => relay.kill());
  const engine = new BoostEngine({ keepaliveMs: 100, statsIntervalMs: 200 });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  await engine.start({
    routes: [{ server: `127.0.0.1:${echo.port}` }],
    relays: [{ host: '127.0.0.1', port: relay.port }],
    fecK,
  });
  cleanups.push(() => engine.stop());
  return { echo, relay, engine, events, localPort: engine.getRoutes()[0]!.localPort };
}

describe('interop with a deployed-style relay (never ACKs a handshake)', () => {
  for (const fecK of [0, 4]) {
    it(`carries a game's packets with header v${fecK === 0 ? 1 : 2}${fecK ? ` (K=${fecK})` : ''}`, async () => {
      const { relay, engine, events, localPort, echo } = await setup(fecK);
      await waitFor(() => engine.getState().state === 'active', 5000, 'active state');
      const game = await GameTrafficClient.start({
        target: { host: '127.0.0.1', port: localPort },
        pps: 200,
        count: 300,
      });
      cleanups.push(() => game.close());
      await game.finished();
      await waitFor(() => game.stats().received === 300, 5000, 'all echoes');
      const s = game.stats();
      expect(s.foreign).toBe(0);
      expect(s.duplicates).toBe(0);
      // The handshake went out, was never ACKed (its zeroed destination was refused), and traffic flowed anyway.
      expect(relay.stats.handshakes).toBeGreaterThanOrEqual(1);
      expect(relay.stats.refused).toBeGreaterThanOrEqual(1);
      expect(echo.packets).toBe(300);
      if (fecK > 0) expect(relay.stats.parity).toBeGreaterThan(0);
      const states = events
        .filter((e) => e.type === 'state')
        .map((e) => (e.type === 'state' ? e.state.state : ''));
      expect(states).toEqual(['connecting', 'active']);
      await waitFor(() => (engine.getStats()?.packetsDown ?? 0) >= 300, 2000, 'stats to catch up');
      const stats = engine.getStats()!;
      expect(stats.packetsUp).toBeGreaterThanOrEqual(300);
      expect(stats.flows).toBe(1);
    });
  }

  it('FEC works both ways with a deployed-style relay (full-block parity down, time-bounded parity up)', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    const link = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: relay.port },
      loss: 0.05,
      seed: 77,
    });
    cleanups.push(() => link.stop());
    const engine = new BoostEngine({ keepaliveMs: 200, missesForFailover: 1000 });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: link.port }],
      fecK: 4,
    });
    cleanups.push(() => engine.stop());
    const N = 2000;
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 400,
      count: N,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await waitFor(() => game.stats(600).loss < 1, 3000, 'echoes');
    await new Promise((r) => setTimeout(r, 600));
    const residual = 1 - game.stats().received / N;
    // Raw round-trip loss is ~9.75%; with parity both ways it falls to about 1% (binomial sd ≈ 0.2%).
    expect(residual).toBeLessThan(0.035);
    expect(relay.stats.recovered).toBeGreaterThan(10); // the relay rebuilt our partial-block losses
    await waitFor(() => (engine.getStats()?.fecRecovered ?? 0) > 10, 3000, 'engine recoveries');
    expect(game.stats().duplicates).toBe(0);
  });
});
