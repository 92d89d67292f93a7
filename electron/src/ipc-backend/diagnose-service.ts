/**
 * `diagnose.run` behind the contract: the CLI's `lightspeed diagnose` for the UI — the direct path to one
 * game server against the path through each configured relay, measured the same way (path-probe.ts), with
 * WARP's state, which changes the direct path. Probes go to that game server only (directly, and through
 * the relays); relays that require a token get one from their control plane, as a session does.
 */
import {
  IpcError,
  parseHostPort,
  relayRef,
  type DiagnoseRequest,
  type DiagnoseView,
  type RelayEndpoint,
  type WarpState,
} from '@lightspeed/shared';

import { diagnose } from '../engine/diagnose/path-probe.js';
import { detectWarp } from '../engine/diagnose/warp.js';
import { resolveIpv4 } from '../engine/resolve.js';
import { registerWithRelays, type RegisterRelays } from './relay-registration.js';

export interface DiagnoseServiceOptions {
  /** The configured relays (the list or the registry's). */
  relays: () => Promise<RelayEndpoint[]>;
  registerRelays?: RegisterRelays;
  /** Default `warp-cli status`. */
  warp?: () => Promise<WarpState>;
  /** Probes per path (default 20, 20 ms apart, as the CLI). */
  count?: number;
}

export class DiagnoseService {
  private running = false;

  constructor(private readonly o: DiagnoseServiceOptions) {}

  async run(req: DiagnoseRequest): Promise<DiagnoseView> {
    if (this.running) throw new IpcError('busy', 'a diagnose is already running');
    this.running = true;
    try {
      return await this.measure(req.server);
    } finally {
      this.running = false;
    }
  }

  private async measure(label: string): Promise<DiagnoseView> {
    const hp = parseHostPort(label);
    if (hp === null) throw new IpcError('invalid-argument', `server: expected host:port, got '${label}'`);
    let server;
    try {
      server = await resolveIpv4(hp.host, hp.port);
    } catch (err) {
      throw new IpcError('not-found', `cannot resolve ${hp.host}: ${(err as Error).message}`);
    }
    const candidates = await this.o.relays();
    const registration = await (this.o.registerRelays ?? registerWithRelays)(candidates, 0);
    try {
      const warp = await (this.o.warp ?? detectWarp)().catch(() => null);
      const d = await diagnose(
        server,
        registration.relays.map((endpoint) => ({ label: relayRef(endpoint).id, endpoint })),
        { count: this.o.count ?? 20, spacingMs: 20, timeoutMs: 1000 },
        warp,
      );
      return {
        server: label,
        direct: { rttMs: d.direct.rttMs, lossPct: d.direct.lossPct },
        relays: d.relays.map((r) => ({ relay: r.relay, rttMs: r.result.rttMs, lossPct: r.result.lossPct })),
        verdict: d.verdict,
        // diagnose's msSaved is direct − best relay: positive when the relay is faster.
        msSaved: d.msSaved,
        warp: warp === null ? null : { installed: warp.installed, connected: warp.connected },
        atMs: Date.now(),
      };
    } finally {
      await registration.close();
    }
  }
}
