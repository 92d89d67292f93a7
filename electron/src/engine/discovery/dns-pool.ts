/**
 * A DNS pool: one name whose A records are several relays (round-robin DNS). The resolver is injectable so
 * tests do not need a DNS server; the default is node:dns.
 */
import { promises as dns } from 'node:dns';

import { DiscoveryError, endpoint, type DiscoveredRelay } from './relay-endpoint.js';

/** Resolves a name to IPv4 addresses. */
export type Resolve4 = (name: string) => Promise<string[]>;

export interface DnsPoolOptions {
  resolver?: Resolve4;
  dataPort?: number;
  controlPort?: number;
  healthPort?: number;
}

/** Resolves `name` to one endpoint per distinct address; throws DiscoveryError when it has none. */
export async function resolvePool(name: string, opts: DnsPoolOptions = {}): Promise<DiscoveredRelay[]> {
  const resolver = opts.resolver ?? ((n: string) => dns.resolve4(n));
  let addresses: string[];
  try {
    addresses = await resolver(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DiscoveryError(`DNS pool ${name}: lookup failed (${code ?? (err as Error).message})`);
  }
  const unique = [...new Set(addresses.filter((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a)))];
  if (unique.length === 0) throw new DiscoveryError(`DNS pool ${name}: no IPv4 addresses`);
  return unique.map((host) =>
    endpoint(
      host,
      {
        ...(opts.dataPort ? { dataPort: opts.dataPort } : {}),
        ...(opts.controlPort ? { controlPort: opts.controlPort } : {}),
        ...(opts.healthPort ? { healthPort: opts.healthPort } : {}),
      },
      'dns',
    ),
  );
}
