/**
 * Issue #12's loopback test: two of our relays, where the nearer one has the slower path to the game
 * server (a 40 ms-each-way delay LossyLink between it and the echo server), the farther one (8 ms each
 * way from the client) a direct path. The learned selector starts on the nearer one (nothing is known of
 * the server side yet, so it falls back to nearest), the relays measure their legs from the traffic, and
 * the engine ends on the other relay within 10 s of traffic — with the game's replies still flowing.
 * The farther relay learns its leg from the default exploration, light probes: the game server never sees
 * a datagram of the game's from it before the move.
 */

import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine, type EngineEvent } from '../index.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { sourceRouter } from '../../test-support/source-router.js';
import { waitFor } from '../../test-support/wait.js';
import { MlSelector } from './ml-selector.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('route learning on loopback', () => {
  it('leaves the nearer relay with the slow server path for the other one within 10 s of traffic', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const slow = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: echo.port },
      delayMs: 40,
    });
    cleanups.push(() => slow.stop());
    // What reached the game server from the farther relay (127.0.0.3) while the session was on the nearer.
    const fromFar: Buffer[] = [];
    let moved = false;
    const server = await sourceRouter(echo.port, '127.0.0.2', slow.port, (msg, from) => {
      if (from === '127.0.0.3' && !moved) fromFar.push(msg);
    });
    cleanups.push(() => server.close());

    const near = await startLocalRelay({ nodeId: 'near', host: '127.0.0.2' });
    cleanups.push(() => near.stop());
    const far = await startLocalRelay({ nodeId: 'far', host: '127.0.0.3' });
    cleanups.push(() => far.stop());
    const farLink = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.3', port: far.dataPort },
      delayMs: 8,
    });
    cleanups.push(() => farLink.stop());

    const selector = new MlSelector();
    const engine = new BoostEngine({ selector, keepaliveMs: 200, statsIntervalMs: 500 });
    const events: EngineEvent[] = [];
    engine.subscribe((e) => events.push(e));
    cleanups.push(() => engine.stop());
    await engine.start({
      routes: [{ server: `127.0.0.1:${server.port}` }],
      relays: [
        { host: '127.0.0.2', port: near.dataPort, id: 'near' },
        { host: '127.0.0.1', port: farLink.port, id: 'far' },
      ],
      fecK: 0,
    });
    expect(engine.currentRelay()?.id).toBe('near');
    expect(selector.note).toMatch(/fell back to nearest/);

    // 10 s of game traffic at 50 packets/s; the move must come before it ends.
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 50,
      count: 500,
    });
    cleanups.push(() => game.close());
    await waitFor(
      () => (moved = engine.currentRelay()?.id === 'far') || game.sent >= 500,
      15_000,
      'a move or the end of traffic',
    );
    expect(engine.currentRelay()?.id).toBe('far');
    expect(game.sent).toBeLessThan(500);
    const move = events.find((e) => e.type === 'failover');
    expect(move).toMatchObject({ from: { id: 'near' }, to: { id: 'far' } });
    expect(move?.type === 'failover' && move.reason).toMatch(/^better route: far/);
    // Before the move the farther relay carried light probes ('LSDG'), at most 5, and nothing of the game's.
    expect(fromFar.length).toBeGreaterThan(0);
    expect(fromFar.length).toBeLessThanOrEqual(5);
    for (const m of fromFar) expect(m.subarray(0, 4).toString('latin1')).toBe('LSDG');

    // Replies keep coming through the new relay.
    const before = game.stats().received;
    await waitFor(() => game.stats().received > before + 10, 5000, 'replies through the new relay');
    const ranking = events.filter((e) => e.type === 'relays').at(-1);
    const nearLeg =
      ranking?.type === 'relays' ? ranking.relays.find((r) => r.relay.id === 'near') : undefined;
    expect((nearLeg as { serverLegMs?: number } | undefined)?.serverLegMs).toBeGreaterThan(60);
  }, 30_000);
});
