/** What capture tells the engine about the game server: the server itself, and its likely region. */
import { parseHostPort, parseIpv4, type CaptureStatus } from '@lightspeed/shared';

import type { ResolvedEndpoint } from './resolve.js';
import type { RankedRelay } from './route-selector.js';

/** The first server capture found in the game's traffic, or null while none (or not an IPv4 HOST:PORT). */
export function capturedServer(status: CaptureStatus): ResolvedEndpoint | null {
  const first = status.servers[0];
  if (first === undefined) return null;
  const hp = parseHostPort(first.address);
  const ip = hp === null ? null : parseIpv4(hp.host);
  if (hp === null || ip === null) return null;
  return { address: hp.host, ip, port: hp.port };
}

/**
 * The capture status with the main server's likely region: that of the relay whose reported leg to it is
 * the shortest (relays near a server reach it fastest). Unknown until a relay has reported its leg.
 */
export function withServerRegion(
  status: CaptureStatus,
  server: ResolvedEndpoint | null,
  ranked: readonly RankedRelay[],
): CaptureStatus {
  const best = ranked
    .filter((r) => r.serverLegMs !== undefined && r.relay.region !== undefined)
    .sort((a, b) => a.serverLegMs! - b.serverLegMs!)[0];
  if (server === null || best === undefined) return status;
  const address = `${server.address}:${server.port}`;
  const region = `near ${best.relay.region!} (${best.serverLegMs!.toFixed(0)} ms from ${best.relay.id})`;
  return { ...status, servers: status.servers.map((s) => (s.address === address ? { ...s, region } : s)) };
}
