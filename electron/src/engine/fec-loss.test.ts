import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine, type BoostStats } from './index.js';
import { startLocalRelay } from '../test-support/local-relay.js';
import { sleep, waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('FEC through our relay over a lossy link', () => {
  it('at 5% iid loss each way and K = 4, residual round-trip loss is far below the raw loss (5,000 packets)', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const link = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: relay.dataPort },
      loss: 0.05,
      seed: 4242,
    });
    cleanups.push(() => link.stop());
    const engine = new BoostEngine({ keepaliveMs: 200, missesForFailover: 1000 });
    const samples: BoostStats[] = [];
    engine.subscribe((e) => {
      if (e.type === 'stats') samples.push(e.stats);
    });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: link.port }],
      fecK: 4,
    });
    cleanups.push(() => engine.stop());
    const N = 5000;
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 500,
      size: 200,
      count: N,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await sleep(300);
    const s = game.stats();
    const ls = link.stats();
    const rawUp = ls.up.dropped / ls.up.received;
    const rawDown = ls.down.dropped / ls.down.received;
    const rawRoundTrip = 1 - (1 - rawUp) * (1 - rawDown);
    const residual = 1 - s.received / N;
    // The link really lost ~5% each way (binomial over thousands of packets: ±1.5% is > 5 sigma).
    expect(rawUp).toBeGreaterThan(0.035);
    expect(rawUp).toBeLessThan(0.065);
    expect(rawDown).toBeGreaterThan(0.035);
    expect(rawDown).toBeLessThan(0.065);
    // Without FEC ~9.75% of round trips would fail. With one parity per short block a packet is lost only if a
    // second packet of its block is lost too (≈ 0.5% per direction); 3% is > 10 sigma above that and a third
    // of the raw loss.
    expect(residual).toBeLessThan(0.03);
    expect(residual).toBeLessThan(rawRoundTrip / 3);
    expect(s.duplicates).toBe(0);
    expect(s.foreign).toBe(0);
    await waitFor(() => (engine.getStats()?.fecRecovered ?? 0) > 0, 3000, 'stats with recoveries');
    const stats = engine.getStats()!;
    expect(stats.fecRecovered).toBeGreaterThan(50);
    expect(stats.fecParityUp).toBeGreaterThan(0);
    // The per-second view agrees with the link: ~5% of replies missing before FEC, far fewer after.
    const busy = samples.filter((x) => x.packetsDown > 0).slice(1, -1);
    expect(busy.length).toBeGreaterThanOrEqual(5);
    const mean = (f: (x: BoostStats) => number): number => busy.reduce((a, x) => a + f(x), 0) / busy.length;
    expect(mean((x) => x.lossDown)).toBeGreaterThan(0.025);
    expect(mean((x) => x.lossDown)).toBeLessThan(0.08);
    expect(mean((x) => x.lossDownAfterFec)).toBeLessThan(mean((x) => x.lossDown) / 3);
    expect(busy.every((x) => x.rtt === null || (x.rtt.min <= x.rtt.p50 && x.rtt.p50 <= x.rtt.p95))).toBe(
      true,
    );
  });
});
