/** What the selector is told about a session: the game and server it ranks for, and what the session gave. */
import { parseHostPort, type BoostRequest } from '@lightspeed/shared';

import type { ResolvedEndpoint } from './resolve.js';
import type { RankedRelay, SelectorContext, SelectorFeedback } from './route-selector.js';

/** The game server's host as the request named it (else its address); '' with neither. */
export function serverHost(request: BoostRequest | null, server: ResolvedEndpoint | null): string {
  const first = request?.routes[0]?.server;
  return (first === undefined ? null : parseHostPort(first)?.host) ?? server?.address ?? '';
}

/** The session's game and server, added to the selector's context once known. */
export function selectorExtras(
  request: BoostRequest | null,
  server: ResolvedEndpoint | null,
): Partial<SelectorContext> {
  const extras = server === null ? {} : { server: { host: serverHost(request, server), ...server } };
  return request?.gameId === undefined ? extras : { gameId: request.gameId, ...extras };
}

/**
 * What the session's relay gave end to end (its RTT + its reported leg) from the watch's latest ranking,
 * or null when that is not known.
 */
export function sessionFeedback(
  latest: readonly RankedRelay[] | undefined,
  relayId: string | undefined,
  request: BoostRequest | null,
  server: ResolvedEndpoint | null,
): SelectorFeedback | null {
  const last = latest?.find((r) => r.relay.id === relayId);
  if (last === undefined || server === null) return null;
  if (last.rttMedianMs === null || last.serverLegMs === undefined) return null;
  return {
    relay: last,
    server: { host: serverHost(request, server), port: server.port },
    rttMs: last.rttMedianMs,
    legMs: last.serverLegMs,
  };
}
