/**
 * Registration for a boost started from the app: every relay's control plane (QUIC; the port and pin its
 * discovery source gave, else 4433) is asked for a token, because tokens are per relay and the engine may
 * fail over. A host with no control plane answers nothing (or an ICMP refusal) and its relays are used
 * token-less, which only relays without `require_auth` accept.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import {
  ControlError,
  DEFAULT_CONTROL_PORT,
  openBoostControl,
  type BoostControl,
} from '../engine/control/index.js';

export interface Registration {
  /** The relays with the token each host's control plane issued (0 when it had none). */
  relays: RelayEndpoint[];
  /** Relays dropped because their control certificate did not match the pin their source gave. */
  refused: RelayEndpoint[];
  /** Ends every control session (their tokens die with them). */
  close: () => Promise<void>;
}

export type RegisterRelays = (relays: RelayEndpoint[], gameId: number) => Promise<Registration>;

/**
 * Registers with the control plane of every distinct relay (host, control port, pin): the port and the
 * certificate pin a discovery source gave, else port 4433 and no pin. Never throws for a relay that fails:
 * one without a control plane, or refusing us, is used token-less (a relay without require_auth still
 * serves it); but a relay whose certificate does not match its pin is dropped from the list — it is not
 * the relay the source described, and must not carry the game's traffic.
 */
export const registerWithRelays: RegisterRelays = async (relays, gameId) => {
  const planeOf = (r: RelayEndpoint): string =>
    `${r.host}|${r.controlPort ?? DEFAULT_CONTROL_PORT}|${r.certSha256 ?? ''}`;
  const planes = [...new Map(relays.map((r) => [planeOf(r), r])).values()];
  const opened = await Promise.allSettled(
    planes.map((r) =>
      openBoostControl(
        {
          control: `${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.controlPort ?? DEFAULT_CONTROL_PORT}`,
          relays,
          gameId,
          certSha256: r.certSha256,
        },
        () => undefined,
      ),
    ),
  );
  const controls: (BoostControl | null)[] = opened.map((o) => (o.status === 'fulfilled' ? o.value : null));
  const tokenOf = new Map(planes.map((r, i) => [planeOf(r), controls[i]?.token ?? 0]));
  const pinRefused = new Set(
    planes.flatMap((r, i) => {
      const o = opened[i]!;
      return o.status === 'rejected' && o.reason instanceof ControlError && o.reason.kind === 'certificate'
        ? [planeOf(r)]
        : [];
    }),
  );
  return {
    relays: relays
      .filter((r) => !pinRefused.has(planeOf(r)))
      .map((r) => ({ ...r, token: tokenOf.get(planeOf(r)) ?? 0 })),
    refused: relays.filter((r) => pinRefused.has(planeOf(r))),
    close: async () => {
      for (const c of controls) await c?.session?.close().catch(() => undefined);
    },
  };
};
