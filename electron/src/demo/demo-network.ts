/**
 * The embedded default network that `lightspeed demo` and `lightspeed dashboard --demo` both run, all on
 * loopback: an echo "game server", our relay (allowed to reach loopback), and lossy links in front of the
 * relay that stand in for a bad path between the player and the relay.
 */
import { resolveConfig, startRelay, type Relay } from '@lightspeed/proxy-server';
import { EchoServer, LossyLink, type LossyLinkOptions } from '@lightspeed/shared/node';

export interface DemoNetwork {
  echo: EchoServer;
  relay: Relay;
  /** One per requested link, in order; each forwards to the relay's data port. */
  links: LossyLink[];
  close: () => Promise<void>;
}

/** Link settings without the addresses: the demo network fills those in. */
export type DemoLinkOptions = Omit<LossyLinkOptions, 'listen' | 'forward'>;

/** Our relay on loopback, quiet, allowed to reach the loopback echo server. */
async function startDemoRelay(): Promise<Relay> {
  return startRelay(
    resolveConfig({
      server: {
        node_id: 'demo',
        region: 'local',
        data_bind: '127.0.0.1:0',
        control_bind: '127.0.0.1:0',
        health_bind: '127.0.0.1:0',
      },
      security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
      log: { level: 'silent' },
    }),
  );
}

/** Starts the echo server, the relay and one lossy link per entry of `links`; undoes it all on failure. */
export async function startDemoNetwork(links: DemoLinkOptions[]): Promise<DemoNetwork> {
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const echo = await EchoServer.start();
    stops.push(() => echo.stop());
    const relay = await startDemoRelay();
    stops.push(() => relay.stop());
    const started: LossyLink[] = [];
    for (const options of links) {
      const link = await LossyLink.start({
        ...options,
        listen: { host: '127.0.0.1', port: 0 },
        forward: { host: '127.0.0.1', port: relay.dataPort },
      });
      stops.push(() => link.stop());
      started.push(link);
    }
    return { echo, relay, links: started, close };
  } catch (err) {
    await close();
    throw err;
  }
}
