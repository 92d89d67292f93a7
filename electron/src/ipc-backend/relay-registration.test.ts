/**
 * The app's boost registers with each relay's control plane — on the port and with the certificate pin its
 * discovery source gave (4433 and no pin otherwise) — and carries the token: a require_auth relay then
 * relays the game's traffic. A relay whose certificate does not match its pin is refused, not used.
 */
import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
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

/** A require_auth relay on loopback with its control plane on any free port. */
async function authRelay(): Promise<Relay> {
  const relay = await startTestRelay({
    server: { node_id: 'auth', region: 'lab' },
    security: { require_auth: true, max_sessions_per_ip: 1000 },
    control: { enabled: true },
  });
  cleanups.push(() => relay.stop());
  return relay;
}

describe('registerWithRelays', () => {
  it('gets a token from each relay, on the control port and pin its source gave, and the relay carries the boost', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await authRelay();
    const unreachable = { host: '127.0.0.4', port: 9, id: 'no-control', controlPort: 9 };

    const reg = await registerWithRelays(
      [
        {
          host: '127.0.0.1',
          port: relay.dataPort,
          id: 'auth',
          controlPort: relay.controlPort!,
          certSha256: relay.certSha256!,
        },
        unreachable,
      ],
      GameId.CS2,
    );
    cleanups.push(() => reg.close());
    const [auth, none] = reg.relays;
    expect(auth!.token).toBeGreaterThan(0);
    expect(none!.token).toBe(0);
    expect(reg.refused).toEqual([]);

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

  it('refuses a relay whose control certificate does not match its pin (never uses it token-less)', async () => {
    const relay = await authRelay();
    const wrongPin = relay.certSha256!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const pinned = {
      host: '127.0.0.1',
      port: relay.dataPort,
      id: 'impostor',
      controlPort: relay.controlPort!,
      certSha256: wrongPin,
    };
    const reg = await registerWithRelays([pinned], GameId.CS2);
    cleanups.push(() => reg.close());
    expect(reg.relays).toEqual([]);
    expect(reg.refused.map((r) => r.id)).toEqual(['impostor']);
  });
});
