import { isIP } from 'node:net';

/** A parsed `host:port` bind address. IPv6 hosts are written in brackets: `[::]:8080`. */
export interface BindAddress {
  host: string;
  port: number;
}

/** Parses `host:port` (or `[v6]:port`); returns an error string instead of throwing. */
export function parseBindAddress(text: string): BindAddress | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return `expected "host:port" (e.g. "0.0.0.0:4434"), got ${JSON.stringify(text)}`;
  const host = (m[1] ?? m[2])!;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range 0..65535`;
  if (isIP(host) === 0) return `host ${JSON.stringify(host)} is not an IP address`;
  if (m[1] !== undefined && isIP(host) !== 6) return `bracketed host ${JSON.stringify(host)} is not IPv6`;
  return { host, port };
}

/** Parses an IPv4-only `host:port` (the data plane speaks IPv4 tunnel headers). */
export function parseIpv4BindAddress(text: string): BindAddress | string {
  const parsed = parseBindAddress(text);
  if (typeof parsed === 'string') return parsed;
  if (isIP(parsed.host) !== 4)
    return `host ${JSON.stringify(parsed.host)} must be IPv4 (the tunnel header carries IPv4)`;
  return parsed;
}
