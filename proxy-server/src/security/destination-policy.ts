import { cidrContains, parseCidr, type Cidr } from './cidr.js';

/**
 * Ranges a public relay must never send to: relaying into them would expose the operator's own network
 * (loopback, RFC 1918, link-local, CGNAT) or reach addresses that are not unicast hosts at all.
 */
export const REFUSED_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // CGNAT (RFC 6598)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // 6to4 relay anycast (deprecated)
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking (RFC 2544)
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved
  '255.255.255.255/32', // limited broadcast (inside 240/4, listed for clarity)
];

function parseAll(list: readonly string[]): Cidr[] {
  return list.map((text) => {
    const c = parseCidr(text);
    if (typeof c === 'string') throw new Error(`bad CIDR ${text}: ${c}`);
    return c;
  });
}

/**
 * Decides whether the relay may send to an IPv4 destination. Refused: the ranges above and the relay's
 * own addresses (so it never relays to itself), unless the operator allow-lists them.
 */
export class DestinationPolicy {
  private readonly refused: Cidr[];
  private readonly allowed: Cidr[];
  private readonly own: Set<number>;

  /** `allow` is `security.allow_destinations`; `ownAddresses` are the host's IPv4 addresses (u32). */
  constructor(allow: readonly string[], ownAddresses: Iterable<number> = []) {
    this.refused = parseAll(REFUSED_RANGES);
    this.allowed = parseAll(allow);
    this.own = new Set(ownAddresses);
  }

  /** Whether sending to `ip`:`port` is allowed. Port 0 never is. */
  allows(ip: number, port: number): boolean {
    if (port === 0) return false;
    for (const c of this.allowed) if (cidrContains(c, ip)) return true;
    if (this.own.has(ip)) return false;
    for (const c of this.refused) if (cidrContains(c, ip)) return false;
    return true;
  }
}
