/**
 * Relay candidates for the CLI: `--relay` entries plus what `--dns-pool` names and a signed `--registry`
 * list, in the engine's RelayEndpoint shape. Sources that fail are reported, not fatal, unless nothing is
 * left; a refused registry always says why.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import { discoverRelays } from './discover.js';
import type { Resolve4 } from './dns-pool.js';
import { DiscoveryError } from './relay-endpoint.js';

export interface CliRelayOptions {
  relay?: string[] | undefined;
  dnsPool?: string[] | undefined;
  registry?: string | undefined;
  registryKey?: string | undefined;
  resolver?: Resolve4;
}

/** Gathers relay candidates; throws DiscoveryError when the options are inconsistent or nothing is found. */
export async function cliRelays(
  opts: CliRelayOptions,
  log: (line: string) => void,
): Promise<{ relays: RelayEndpoint[]; pins: Map<string, string> }> {
  if (opts.registry !== undefined && opts.registryKey === undefined) {
    throw new DiscoveryError('--registry needs --registry-key (the pinned Ed25519 public key)');
  }
  const result = await discoverRelays(
    {
      static: opts.relay ?? [],
      dnsPools: opts.dnsPool ?? [],
      ...(opts.registry !== undefined
        ? { registry: { location: opts.registry, publicKey: opts.registryKey! } }
        : {}),
    },
    opts.resolver ? { resolver: opts.resolver } : {},
  );
  for (const e of result.errors) log(`discovery: ${e}`);
  if (result.relays.length === 0) {
    throw new DiscoveryError(
      result.errors.length > 0 ? `no relay found (${result.errors.join('; ')})` : 'no relay given',
    );
  }
  const pins = new Map<string, string>();
  const relays = result.relays.map((r) => {
    if (r.certSha256) pins.set(r.host, r.certSha256);
    const out: RelayEndpoint = { host: r.host, port: r.dataPort };
    if (r.nodeId !== undefined) out.id = r.nodeId;
    if (r.region !== undefined) out.region = r.region;
    return out;
  });
  return { relays, pins };
}
