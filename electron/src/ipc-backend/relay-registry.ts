/**
 * Relays from the signed registry (see engine/discovery/signed-registry.ts): the document must verify against
 * the pinned Ed25519 key and be unexpired, or it is refused with the reason. Only then do its relays become
 * endpoints the UI can pick.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import { loadRegistry } from '../engine/discovery/index.js';

/** Largest relay list taken from a registry. */
const MAX_RELAYS = 64;

/** Fetches the registry at `url`, verifies it against `publicKey` and returns its relays as endpoints. */
export async function fetchRegistry(url: string, publicKey: string): Promise<RelayEndpoint[]> {
  const { relays } = await loadRegistry(url, publicKey);
  return relays.slice(0, MAX_RELAYS).map((r) => ({
    host: r.host,
    port: r.dataPort,
    ...(r.nodeId !== undefined ? { id: r.nodeId } : {}),
    ...(r.region !== undefined ? { region: r.region } : {}),
    // The signed registry's control port and certificate pin reach registration (relay-registration.ts).
    controlPort: r.controlPort,
    ...(r.certSha256 !== undefined ? { certSha256: r.certSha256 } : {}),
  }));
}
