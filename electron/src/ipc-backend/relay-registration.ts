/**
 * Registration for a boost started from the app: every relay host's control plane (QUIC, port 4433) is
 * asked for a token, because tokens are per relay and the engine may fail over. A host with no control
 * plane answers nothing (or an ICMP refusal) and its relays are used token-less, which only relays
 * without `require_auth` accept.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import { openBoostControl, type BoostControl } from '../engine/control/index.js';

export interface Registration {
  /** The relays with the token each host's control plane issued (0 when it had none). */
  relays: RelayEndpoint[];
  /** Ends every control session (their tokens die with them). */
  close: () => Promise<void>;
}

export type RegisterRelays = (relays: RelayEndpoint[], gameId: number) => Promise<Registration>;

/** Registers with the control plane of every distinct relay host; never throws for a host that fails. */
export const registerWithRelays: RegisterRelays = async (relays, gameId) => {
  const hosts = [...new Set(relays.map((r) => r.host))];
  const opened = await Promise.allSettled(
    hosts.map((host) => openBoostControl({ control: host, relays, gameId }, () => undefined)),
  );
  // A host whose control plane fails (bad certificate, refused) is used token-less, like one without any.
  const controls: (BoostControl | null)[] = opened.map((o) => (o.status === 'fulfilled' ? o.value : null));
  const tokenOf = new Map(hosts.map((h, i) => [h, controls[i]?.token ?? 0]));
  return {
    relays: relays.map((r) => ({ ...r, token: tokenOf.get(r.host) ?? 0 })),
    close: async () => {
      for (const c of controls) await c?.session?.close().catch(() => undefined);
    },
  };
};
