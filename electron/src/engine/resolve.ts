import { lookup } from 'node:dns/promises';

import { parseIpv4 } from '@lightspeed/shared';

/** A host resolved to IPv4: the tunnel header carries IPv4 only. */
export interface ResolvedEndpoint {
  /** Dotted quad. */
  address: string;
  /** The same as u32. */
  ip: number;
  port: number;
}

/** Resolves `host` to an IPv4 address (literals pass through without DNS). */
export async function resolveIpv4(host: string, port: number): Promise<ResolvedEndpoint> {
  const literal = parseIpv4(host);
  if (literal !== null) return { address: host, ip: literal, port };
  const { address } = await lookup(host, { family: 4 });
  return { address, ip: parseIpv4(address)!, port };
}

/** The local address to bind a socket that talks to `remote`: loopback stays on loopback. */
export function bindAddressFor(remote: string): string {
  return remote.startsWith('127.') ? '127.0.0.1' : '0.0.0.0';
}
