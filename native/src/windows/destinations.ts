/**
 * Which destinations capture may take (platform-independent policy, shared by the WinDivert filter and
 * the flow bookkeeping): never loopback, link-local, multicast, broadcast, "this network", DNS (port 53),
 * or anything in `excludes` (the relays, the user's own); the LAN (RFC 1918, CGNAT) only with captureLan.
 * Linux (nftables) and Windows (WinDivert filters) both take their ranges from here.
 */
import { ipToU32, u32ToIp } from '../ipv4.js';

export interface Cidr {
  /** First and last address, u32 host order. */
  first: number;
  last: number;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const [address, bitsText, extra] = text.trim().split('/');
  if (address === undefined || extra !== undefined) throw new TypeError(`not an IPv4 CIDR: ${text}`);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > 32 ||
    (bitsText !== undefined && !/^\d+$/.test(bitsText))
  ) {
    throw new TypeError(`not an IPv4 CIDR: ${text}`);
  }
  const ip = ipToU32(address);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const first = (ip & mask) >>> 0;
  // The text is canonical (network address): what nft and WinDivert filters are given.
  return { first, last: (first | (~mask >>> 0)) >>> 0, text: `${u32ToIp(first)}/${bits}` };
}

/** Never captured, whatever the options. */
export const ALWAYS_EXCLUDED: readonly Cidr[] = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '255.255.255.255/32',
].map(parseCidr);

/** The LAN — RFC 1918 and carrier-grade NAT (RFC 6598) — captured only with captureLan. */
export const PRIVATE_RANGES: readonly Cidr[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
].map(parseCidr);

export const DNS_PORT = 53;

export interface DestinationPolicy {
  excludes: string[];
  captureLan?: boolean;
}

/** The ranges never captured under `policy`, in filter order: fixed ones, LAN (unless captured), excludes. */
export function excludedRanges(policy: DestinationPolicy): Cidr[] {
  return [
    ...ALWAYS_EXCLUDED,
    ...(policy.captureLan === true ? [] : PRIVATE_RANGES),
    ...policy.excludes.map(parseCidr),
  ];
}

export function isCapturable(ip: number, port: number, policy: DestinationPolicy): boolean {
  if (port === DNS_PORT || port === 0) return false;
  return !excludedRanges(policy).some((r) => ip >= r.first && ip <= r.last);
}
