/** Redirect mode as a flow source: one 127.0.0.1 port per route, each standing in for its game server. */
import type { EngineRoute } from '@lightspeed/shared';

import type { FlowSource, PacketSink } from './flow-source.js';
import { RedirectPort } from './redirect-port.js';
import type { ResolvedEndpoint } from './resolve.js';

export class RedirectSource implements FlowSource {
  private ports: RedirectPort[] = [];

  constructor(private readonly routes: { server: ResolvedEndpoint; label: string; localPort: number }[]) {}

  async open(onPacket: PacketSink): Promise<void> {
    this.ports = this.routes.map((r, i) => new RedirectPort(i, r.server, onPacket));
    await Promise.all(this.ports.map((p, i) => p.listen(this.routes[i]!.localPort)));
  }

  /** The ports as bound (a requested port of 0 shows the port actually chosen). */
  boundRoutes(): EngineRoute[] {
    return this.ports.map((p, i) => ({ localPort: p.port, server: this.routes[i]!.label }));
  }

  tick(): void {
    // redirect ports hold nothing that ages
  }

  async close(): Promise<void> {
    for (const p of this.ports) p.close();
    this.ports = [];
    return Promise.resolve();
  }
}
