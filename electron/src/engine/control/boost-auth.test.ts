/**
 * The "done when", engine side: a relay with require_auth = true carries everything for a
 * BoostEngine that registered through the QUIC control plane and nothing for one that did not.
 */
import { drops, startTestRelay, type Relay } from '@lightspeed/proxy-server';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { GameId } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from '../boost-engine.js';
import { sleep, waitFor } from '../../test-support/wait.js';
import { openBoostControl } from './boost-control.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function authRelay(): Promise<{ relay: Relay; echo: EchoServer }> {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relay = await startTestRelay({
    server: { node_id: 'auth-relay', region: 'lab' },
    security: { require_auth: true },
    control: { enabled: true },
  });
  cleanups.push(() => relay.stop());
  return { relay, echo };
}

async function boost(relay: Relay, echo: EchoServer, token: number): Promise<GameTrafficClient> {
  const engine = new BoostEngine({ keepaliveMs: 100, statsIntervalMs: 200 });
  await engine.start({
    routes: [{ server: `127.0.0.1:${echo.port}` }],
    relays: [{ host: '127.0.0.1', port: relay.dataPort, id: 'auth' }],
    fecK: 4,
    token,
    gameId: GameId.CS2,
  });
  cleanups.push(() => engine.stop());
  const game = await GameTrafficClient.start({
    target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
    pps: 100,
    count: 100,
  });
  cleanups.push(() => game.close());
  return game;
}

describe('BoostEngine against a require_auth relay', () => {
  it('relays every packet once the engine registered through the control plane', async () => {
    const { relay, echo } = await authRelay();
    const lines: string[] = [];
    const control = await openBoostControl(
      {
        control: `127.0.0.1:${relay.controlPort}`,
        relays: [{ host: '127.0.0.1' }],
        gameId: GameId.CS2,
        certSha256: relay.certSha256!,
      },
      (l) => lines.push(l),
    );
    cleanups.push(() => control.session?.close() ?? Promise.resolve());
    expect(control.session).not.toBeNull();
    expect(lines[0]).toMatch(/^control: registered at 127\.0\.0\.1:\d+ with auth-relay \(lab\)/);

    const game = await boost(relay, echo, control.token);
    await waitFor(() => game.stats().received === 100, 10_000, 'all 100 echoes');
    expect(game.stats()).toMatchObject({ sent: 100, received: 100 });
    expect(echo.packets).toBe(100);
  });

  it('relays nothing for an engine that never registered (token 0 or a guessed token)', async () => {
    const { relay, echo } = await authRelay();
    // Someone else registered from this address: its token is live, but unknown to the engines below.
    const other = await openBoostControl(
      { control: `127.0.0.1:${relay.controlPort}`, relays: [], gameId: GameId.CS2 },
      () => undefined,
    );
    cleanups.push(() => other.session?.close() ?? Promise.resolve());
    const guess = other.token === 255 ? 254 : other.token + 1;
    const games = [await boost(relay, echo, 0), await boost(relay, echo, guess)];
    // Waits on the relay's own count, not the clock: each game's 100 packets reached it and were refused.
    await Promise.all(games.map((g) => g.finished()));
    let refused = 0;
    for (const deadline = performance.now() + 10_000; refused < 200 && performance.now() < deadline;) {
      refused = await drops(relay, 'unauthenticated');
      if (refused < 200) await sleep(20);
    }
    expect(refused).toBeGreaterThanOrEqual(200);
    for (const game of games) {
      expect(game.sent).toBe(100);
      expect(game.stats().received).toBe(0);
    }
    expect(echo.packets).toBe(0);
  });

  it('fails over between two require_auth relays with a token from each', async () => {
    const a = await authRelay();
    const b = await authRelay();
    const register = async (relay: Relay): Promise<number> => {
      const c = await openBoostControl(
        {
          control: `127.0.0.1:${relay.controlPort}`,
          relays: [],
          gameId: GameId.CS2,
          certSha256: relay.certSha256!,
        },
        () => undefined,
      );
      cleanups.push(() => c.session?.close() ?? Promise.resolve());
      return c.token;
    };
    const [tokenA, tokenB] = [await register(a.relay), await register(b.relay)];
    // Both relays forward to A's echo server; B only becomes the route once A is gone.
    const engine = new BoostEngine({ keepaliveMs: 100, statsIntervalMs: 200 });
    cleanups.push(() => engine.stop());
    await engine.start({
      routes: [{ server: `127.0.0.1:${a.echo.port}` }],
      relays: [
        { host: '127.0.0.1', port: a.relay.dataPort, id: 'a', token: tokenA },
        { host: '127.0.0.1', port: b.relay.dataPort, id: 'b', token: tokenB },
      ],
      fecK: 4,
    });
    const first = engine.currentRelay()?.id;
    const [primary, backup] = first === 'a' ? [a.relay, b.relay] : [b.relay, a.relay];
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 50,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received >= 20, 10_000, 'echoes through the first relay');
    await primary.stop();
    const before = game.stats().received;
    await waitFor(() => game.stats().received >= before + 20, 10_000, 'echoes through the second relay');
    expect(engine.currentRelay()?.id).toBe(first === 'a' ? 'b' : 'a');
    expect(backup.sessionCount()).toBeGreaterThan(0);
  });
});
