/**
 * `dashboard --demo`: the network of `lightspeed demo` (our relay on loopback, an echo game server, the
 * lossy link with 5% loss each way) plus a game in the Library whose traffic a simulated client produces
 * while it is boosted, so a newcomer can press Boost and watch RTT, loss and FEC recoveries live.
 *
 * Two relay entries point at the same relay through two links, a near one and a far one, so the Relays
 * view has a choice to show; the link delay stands in for distance (on loopback the RTT would be ~0).
 */
import type { GameView, RelayEndpoint, SessionInfo } from '@lightspeed/shared';
import { GameTrafficClient, type LossyLink } from '@lightspeed/shared/node';

import { startDemoNetwork } from '../demo/demo-network.js';

export const DEMO_GAME_ID = 'demo-arena';

export interface DemoEnvironmentOptions {
  /** Loss each way on the links, 0..0.5. Default 0.05, as `lightspeed demo`. */
  loss?: number;
  /** Simulated game packets per second. Default 64, as `lightspeed demo`. */
  pps?: number;
}

export interface DemoEnvironment {
  relays: RelayEndpoint[];
  game: GameView;
  /** Starts the simulated game toward the session's redirect port (when the session is the demo game's). */
  onSessionStart: (session: SessionInfo) => Promise<void>;
  onSessionEnd: () => Promise<void>;
  close: () => Promise<void>;
}

/** Starts the demo network on loopback. */
export async function startDemoEnvironment(o: DemoEnvironmentOptions = {}): Promise<DemoEnvironment> {
  const loss = o.loss ?? 0.05;
  const pps = o.pps ?? 64;
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const seed = Date.now() >>> 0;
    const network = await startDemoNetwork([
      { loss, delayMs: 9, jitterMs: 2, seed },
      { loss, delayMs: 38, jitterMs: 4, seed: seed + 1 },
    ]);
    stops.push(network.close);
    const { echo } = network;
    const [near, far] = network.links as [LossyLink, LossyLink];

    let client: GameTrafficClient | null = null;
    const stopClient = async (): Promise<void> => {
      const c = client;
      client = null;
      if (c) await c.close();
    };
    stops.push(stopClient);
    const server = `127.0.0.1:${echo.port}`;

    return {
      relays: [
        { host: '127.0.0.1', port: near.port, id: 'demo-near', region: 'Local · 5% loss' },
        { host: '127.0.0.1', port: far.port, id: 'demo-far', region: 'Far · 5% loss' },
      ],
      game: {
        id: DEMO_GAME_ID,
        name: 'Demo Arena',
        source: 'demo',
        installed: true,
        running: false,
        servers: [server],
        detail: 'Simulated game · local echo server',
      },
      onSessionStart: async (session) => {
        await stopClient();
        const route = session.routes[0];
        if (session.server !== server || !route) return;
        client = await GameTrafficClient.start({
          target: { host: '127.0.0.1', port: route.localPort },
          pps,
          size: 120,
        });
      },
      onSessionEnd: stopClient,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
