/**
 * `diagnose.run` on the main side (real sockets on loopback): a game server whose direct path is slow and
 * a relay with a fast one; the answer has both paths, the verdict and WARP's state.
 */
import { EchoServer, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { startLocalRelay } from '../test-support/local-relay.js';
import { sourceRouter } from '../test-support/source-router.js';
import { DiagnoseService } from './diagnose-service.js';
import type { RegisterRelays } from './relay-registration.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The local relay needs no token: registration hands the relays back as they are. */
const noRegistration: RegisterRelays = (relays) =>
  Promise.resolve({ relays, refused: [], close: () => Promise.resolve() });

describe('DiagnoseService', () => {
  it('measures direct and each relay path and says how much boosting saves', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const slow = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: echo.port },
      delayMs: 15,
    });
    cleanups.push(() => slow.stop());
    const server = await sourceRouter(echo.port, '127.0.0.1', slow.port);
    cleanups.push(() => server.close());
    const relay = await startLocalRelay({ host: '127.0.0.3', nodeId: 'r3' });
    cleanups.push(() => relay.stop());

    const service = new DiagnoseService({
      relays: () => Promise.resolve([{ host: '127.0.0.3', port: relay.dataPort, id: 'r3' }]),
      registerRelays: noRegistration,
      warp: () => Promise.resolve({ installed: true, connected: false }),
      count: 5,
    });
    const label = `127.0.0.1:${server.port}`;
    const first = service.run({ server: label });
    // One at a time: a second run while the first measures is refused.
    await expect(service.run({ server: label })).rejects.toMatchObject({ code: 'busy' });
    const d = await first;
    expect(d.server).toBe(label);
    expect(d.direct.rttMs).toBeGreaterThan(30);
    expect(d.relays).toHaveLength(1);
    expect(d.relays[0]!.relay).toBe('r3');
    expect(d.relays[0]!.rttMs).toBeLessThan(d.direct.rttMs! - 15);
    expect(d.msSaved).toBeCloseTo(d.direct.rttMs! - d.relays[0]!.rttMs!, 9);
    expect(d.verdict).toMatch(/^boosting helps via r3: [\d.]+ ms saved/);
    expect(d.warp).toEqual({ installed: true, connected: false });
    expect(echo.probes).toBe(10);
  });
});
