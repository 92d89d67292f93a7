/**
 * `fecAdaptive` end to end: through our relay the flows negotiate v3 and repair loss both ways; through a
 * deployed-style relay (which never answers the offer) they fall back to v2 K = 4 and lose nothing. The
 * offer never reaches the game server in either case.
 */
import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from './index.js';
import { DeployedStyleRelay } from '../test-support/deployed-relay.js';
import { startLocalRelay } from '../test-support/local-relay.js';
import { sleep, waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('adaptive FEC (v3, falling back to v2)', () => {
  it('through our relay: v3 is negotiated and 5% loss each way is repaired (3,000 packets)', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const link = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: relay.dataPort },
      loss: 0.05,
      seed: 1111,
    });
    cleanups.push(() => link.stop());
    const engine = new BoostEngine({ keepaliveMs: 200, missesForFailover: 1000, statsIntervalMs: 200 });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: link.port }],
      fecK: 4,
      fecAdaptive: 'balanced',
    });
    cleanups.push(() => engine.stop());
    const N = 3000;
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 250,
      size: 200,
      count: N,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await sleep(400);
    const ls = link.stats();
    const rawRoundTrip = 1 - (1 - ls.up.dropped / ls.up.received) * (1 - ls.down.dropped / ls.down.received);
    expect(rawRoundTrip).toBeGreaterThan(0.07); // the link really lost ~5% each way
    const s = game.stats();
    expect(s.duplicates).toBe(0);
    expect(s.foreign).toBe(0);
    // Without FEC ~9.75% of round trips fail; v3 leaves well under half a percent (startup included).
    expect(1 - s.received / N).toBeLessThan(0.005);
    await waitFor(() => engine.getStats()?.fecVersion === 3, 3000, 'stats showing v3');
    const stats = engine.getStats()!;
    expect(stats.fecRecovered).toBeGreaterThan(50);
    expect(stats.fecBytesUp).toBeGreaterThan(0);
    // Every datagram the echo server saw was a game packet: the offer was answered, never forwarded.
    expect(echo.packets).toBeLessThanOrEqual(N);
    expect(echo.packets).toBeGreaterThan(N * 0.995);
  });

  it('through a deployed-style relay: the offers are refused, v2 K = 4 carries everything', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    const engine = new BoostEngine({ keepaliveMs: 100, statsIntervalMs: 200 });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: relay.port }],
      fecK: 4,
      fecAdaptive: 'balanced',
    });
    cleanups.push(() => engine.stop());
    await waitFor(() => engine.getState().state === 'active', 5000, 'active state');
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 200,
      count: 300,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await waitFor(() => game.stats().received === 300, 5000, 'all echoes');
    expect(game.stats().duplicates).toBe(0);
    // Offers were refused (zeroed destination), the session is v2 with K = 4 both ways.
    await sleep(1100);
    expect(relay.stats.refused).toBeGreaterThanOrEqual(2);
    expect(relay.stats.parity).toBeGreaterThan(0);
    expect(relay.stats.malformed).toBe(0); // nothing in v3 was ever sent to it
    expect(echo.packets).toBe(300);
    await waitFor(() => engine.getStats()?.fecVersion === 2, 2000, 'stats showing v2');
  });
});
