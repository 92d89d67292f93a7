import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine, type EngineEvent } from './index.js';
import { DeployedStyleRelay } from '../test-support/deployed-relay.js';
import { startLocalRelay } from '../test-support/local-relay.js';
import { waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEEPALIVE_MS = 50;
const PPS = 200;

async function twoRelays() {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relayA = await startLocalRelay({ nodeId: 'a' });
  cleanups.push(() => relayA.stop());
  const relayB = await DeployedStyleRelay.start();
  cleanups.push(() => relayB.kill());
  // Relay A sits behind a link we can cut; B is 3 ms further away, so A ranks first.
  const linkA = await LossyLink.start({
    listen: { host: '127.0.0.1', port: 0 },
    forward: { host: '127.0.0.1', port: relayA.dataPort },
  });
  cleanups.push(() => linkA.stop());
  const linkB = await LossyLink.start({
    listen: { host: '127.0.0.1', port: 0 },
    forward: { host: '127.0.0.1', port: relayB.port },
    delayMs: 3,
  });
  cleanups.push(() => linkB.stop());
  const engine = new BoostEngine({ keepaliveMs: KEEPALIVE_MS, missesForFailover: 3, statsIntervalMs: 100 });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  await engine.start({
    routes: [{ server: `127.0.0.1:${echo.port}` }],
    relays: [
      { host: '127.0.0.1', port: linkB.port, id: 'b' },
      { host: '127.0.0.1', port: linkA.port, id: 'a' },
    ],
    fecK: 2,
  });
  cleanups.push(() => engine.stop());
  return { echo, relayB, linkA, linkB, engine, events };
}

describe('relay selection and failover', () => {
  it('ranks relays by probe RTT, and when the first relay dies traffic resumes through the second within ~3 keepalive intervals', async () => {
    const { linkA, engine, events } = await twoRelays();
    const ranking = events.find((e) => e.type === 'relays');
    expect(ranking?.type === 'relays' && ranking.relays.map((r) => r.relay.id)).toEqual(['a', 'b']);
    await waitFor(() => engine.getState().state === 'active', 5000, 'active');
    expect(engine.currentRelay()?.id).toBe('a');

    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: PPS,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received > 100, 5000, 'traffic through A');

    const cutAtSeq = game.sent;
    linkA.setImpairments('both', { loss: 1 }); // A goes dark: no FIN, no answers
    await waitFor(() => engine.currentRelay()?.id === 'b', 5000, 'failover to B');
    await waitFor(() => engine.getState().state === 'active', 5000, 'active on B');
    // Conditions, not sleeps: 50 echoes through B, then every packet sent answered (B loses nothing).
    const receivedOnB = game.stats().received;
    await waitFor(() => game.stats().received >= receivedOnB + 50, 5000, '50 echoes through B');
    game.stopSending();
    await waitFor(() => !Number.isNaN(game.rtt[game.sent - 1]!), 5000, 'the last packet echoed');

    // First packet sent after the cut that made it back: the outage in packets, converted to keepalive intervals.
    let firstBack = -1;
    for (let seq = cutAtSeq; seq < game.sent; seq++) {
      if (!Number.isNaN(game.rtt[seq]!)) {
        firstBack = seq;
        break;
      }
    }
    expect(firstBack).toBeGreaterThan(cutAtSeq);
    const outageIntervals = ((firstBack - cutAtSeq) * 1000) / PPS / KEEPALIVE_MS;
    // Detection takes 3 missed keepalives; allow 3 more intervals of slack for timers on a busy machine.
    expect(outageIntervals).toBeLessThanOrEqual(6);
    // Everything after the switch flows again.
    const after = game.rtt.slice(firstBack);
    expect(after.filter((r) => Number.isNaN(r)).length).toBeLessThanOrEqual(2);

    const failovers = events.filter((e) => e.type === 'failover');
    expect(failovers).toHaveLength(1);
    expect(failovers[0]!.type === 'failover' && [failovers[0]!.from.id, failovers[0]!.to?.id]).toEqual([
      'a',
      'b',
    ]);
    const states = events.flatMap((e) => (e.type === 'state' ? [e.state.state] : []));
    expect(states).toEqual(expect.arrayContaining(['probing', 'connecting', 'active', 'failing-over']));
    expect(states.slice(states.lastIndexOf('failing-over'))).toEqual([
      'failing-over',
      'connecting',
      'active',
    ]);

    // Hysteresis: A comes back, and the session does not flap back to it.
    linkA.setImpairments('both', {});
    // Ten more keepalive rounds (counted by the engine's stats, not by the clock) without a switch back.
    const seen = events.filter((e) => e.type === 'stats').length;
    await waitFor(
      () => events.filter((e) => e.type === 'stats').length >= seen + 10,
      5000,
      'ten stats rounds',
    );
    expect(engine.currentRelay()?.id).toBe('b');
    expect(events.filter((e) => e.type === 'failover')).toHaveLength(1);
  });

  it('two concurrent game sockets stay apart (one relay session each)', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    // The live direct comparison would open a relay session of its own: this test counts the game's.
    const engine = new BoostEngine({ keepaliveMs: 100, direct: false });
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: relay.port }],
      fecK: 4,
    });
    cleanups.push(() => engine.stop());
    const target = { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort };
    // Same size and rate: only the send-time stamp tells their packets apart, and the client checks it.
    const g1 = await GameTrafficClient.start({ target, pps: 150, count: 300 });
    const g2 = await GameTrafficClient.start({ target, pps: 150, count: 300 });
    cleanups.push(
      () => g1.close(),
      () => g2.close(),
    );
    await Promise.all([g1.finished(), g2.finished()]);
    await waitFor(
      () => g1.stats().received === 300 && g2.stats().received === 300,
      5000,
      'all echoes to both',
    );
    expect(g1.stats().foreign).toBe(0);
    expect(g2.stats().foreign).toBe(0);
    expect(echo.peers.size).toBe(2);
    expect(relay.sessionCount).toBe(2);
    expect(engine.getStats() === null || engine.getStats()!.flows === 2).toBe(true);
  });

  it('a relay that says FIN (shutting down) is left at once, without waiting for missed keepalives', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relayA = await startLocalRelay({ nodeId: 'a' });
    const relayB = await startLocalRelay({ nodeId: 'b' });
    cleanups.push(
      () => relayA.stop(),
      () => relayB.stop(),
    );
    const engine = new BoostEngine({ keepaliveMs: 10_000 });
    const events: EngineEvent[] = [];
    engine.subscribe((e) => events.push(e));
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [
        { host: '127.0.0.1', port: relayA.dataPort, id: 'a' },
        { host: '127.0.0.1', port: relayB.dataPort, id: 'b' },
      ],
      fecK: 0,
    });
    cleanups.push(() => engine.stop());
    const first = engine.currentRelay()!.id;
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 100,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received > 20, 5000, 'traffic');
    await (first === 'a' ? relayA : relayB).stop();
    await waitFor(
      () => engine.currentRelay()?.id !== first,
      2000,
      'failover on FIN (keepalives are 10 s apart)',
    );
    const n = game.stats().received;
    await waitFor(() => game.stats().received > n + 20, 3000, 'traffic through the other relay');
    expect(events.some((e) => e.type === 'failover' && e.reason.includes('FIN'))).toBe(true);
  });
});
