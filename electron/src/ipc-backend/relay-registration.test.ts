/**
 * The app's boost registers with each relay host's control plane on the default port (4433) and carries
 * the token: a require_auth relay then relays the game's traffic. The relay listens on 127.0.0.3, a
 * loopback address no other test uses, so the fixed control port cannot collide.
 */
import { resolveConfig, startRelay } from '@lightspeed/proxy-server';
import { GameId } from '@lightspeed/shared';
import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine } from '../engine/index.js';
import { waitFor } from '../test-support/wait.js';
import { registerWithRelays } from './relay-registration.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('registerWithRelays', () => {
  it('gets a token from each host and a require_auth relay carries the boost', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await startRelay(
      resolveConfig({
        server: {
          node_id: 'auth',
          region: 'lab',
          data_bind: '127.0.0.3:0',
          control_bind: '127.0.0.3:4433',
          health_bind: '127.0.0.3:0',
        },
        security: { require_auth: true, allow_destinations: ['127.0.0.0/8'] },
        log: { level: 'silent' },
      }),
    );
    cleanups.push(() => relay.stop());
    const unreachable = { host: '127.0.0.4', port: 9, id: 'no-control' };

    const reg = await registerWithRelays(
      [{ host: '127.0.0.3', port: relay.dataPort, id: 'auth' }, unreachable],
      GameId.CS2,
    );
    cleanups.push(() => reg.close());
    const [auth, none] = reg.relays;
    expect(auth!.token).toBeGreaterThan(0);
    expect(none!.token).toBe(0);

    const engine = new BoostEngine({ keepaliveMs: 100 });
    cleanups.push(() => engine.stop());
    await engine.start({ routes: [{ server: `127.0.0.1:${echo.port}` }], relays: [auth!], fecK: 4 });
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 100,
      count: 50,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received === 50, 10_000, 'all 50 echoes');
    expect(echo.packets).toBe(50);
  });
});
