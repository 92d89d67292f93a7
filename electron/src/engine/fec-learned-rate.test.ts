/**
 * A new game socket's flow starts repairing at the loss the engine already knows for its relay — an earlier
 * flow's estimate, else the keepalives' loss — instead of the blind 1% guess. Real engine, relay and lossy
 * link on loopback. Each flow's first packets are counted with the link's loss turned off once the engine
 * has learned it: no loss report can then reach the new flow early, and the relay's v3 accept cannot be lost
 * (which would leave the flow on v2 K = 4, a parity per packet at this rate), so what it sends is its
 * start-up rate alone.
 */
import { EchoServer, GameTrafficClient, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from './index.js';
import { startLocalRelay } from '../test-support/local-relay.js';
import { sleep, waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FIRST = 10;

async function setup(loss: number): Promise<{ echo: EchoServer; link: LossyLink; relayPort: number }> {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relay = await startLocalRelay();
  cleanups.push(() => relay.stop());
  const link = await LossyLink.start({
    listen: { host: '127.0.0.1', port: 0 },
    forward: { host: '127.0.0.1', port: relay.dataPort },
    loss,
    seed: 4242,
  });
  cleanups.push(() => link.stop());
  return { echo, link, relayPort: link.port };
}

async function startEngine(echoPort: number, linkPort: number, keepaliveMs = 500): Promise<BoostEngine> {
  const engine = new BoostEngine({ keepaliveMs, missesForFailover: 1000, statsIntervalMs: 50 });
  await engine.start({
    routes: [{ server: `127.0.0.1:${echoPort}` }],
    relays: [{ host: '127.0.0.1', port: linkPort }],
    fecK: 4,
    fecAdaptive: 'balanced',
  });
  cleanups.push(() => engine.stop());
  return engine;
}

async function play(engine: BoostEngine, count: number): Promise<void> {
  const game = await GameTrafficClient.start({
    target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
    pps: 128,
    size: 200,
    count,
  });
  await game.finished();
  await game.close();
}

/** Repairs (and v2 parity) the engine sent up for the first FIRST packets of a new game socket. */
async function repairsOfNewSocket(engine: BoostEngine): Promise<number> {
  await sleep(150);
  const before = engine.getStats()?.fecParityUp ?? 0;
  await play(engine, FIRST);
  await sleep(150);
  return (engine.getStats()?.fecParityUp ?? 0) - before;
}

describe('a new flow starts at the repair rate the engine has learned', () => {
  it("from an earlier flow's estimate: a repair per packet from the first packets at 10% loss", async () => {
    const { echo, link } = await setup(0.1);
    const engine = await startEngine(echo.port, link.port);
    await play(engine, 300); // the first game socket: the relay reports ~10% loss on its way up
    await sleep(600);
    link.setImpairments('both', { loss: 0 });
    const learned = await repairsOfNewSocket(engine);
    // The same first packets from an engine that knows nothing yet start blind, at the 1% guess.
    const fresh = await startEngine(echo.port, link.port);
    await waitFor(() => fresh.getStats() !== null, 3000, 'first stats');
    const blind = await repairsOfNewSocket(fresh);
    expect(learned).toBeGreaterThanOrEqual(FIRST - 2);
    expect(blind).toBeLessThanOrEqual(4);
  });

  it("else from the relay link's keepalive loss, once it has judged enough keepalives", async () => {
    const { echo, link } = await setup(0.2);
    const engine = await startEngine(echo.port, link.port, 50);
    await sleep(1500); // about 30 keepalives, a third of them lost round trip
    link.setImpairments('both', { loss: 0 });
    expect(await repairsOfNewSocket(engine)).toBeGreaterThanOrEqual(FIRST - 2);
  });
});
