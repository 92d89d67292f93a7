/**
 * WinDivert 2.x filter strings (its filter language: `and`/`or`/`not`, `==`/`!=`/`<=`/`>=`, fields such as
 * `processId`, `udp.SrcPort`, `ip.DstAddr`). Pure, so the exact strings are tested here on any OS.
 */
import { u32ToIp } from '../ipv4.js';
import { DNS_PORT, excludedRanges, type DestinationPolicy } from './destinations.js';

/** One UDP flow of the game: its local port and the remote endpoint (u32 host order). */
export interface FlowKey {
  localPort: number;
  remoteIp: number;
  remotePort: number;
}

/** Beyond this many flows the network filter matches the game's local ports instead of each flow. */
export const MAX_FLOW_TERMS = 32;

function checkInt(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new RangeError(`${what} out of range: ${value}`);
  return value;
}

/** FLOW layer: the UDP/IPv4 flows these processes open or close. */
export function flowFilter(pids: number[]): string {
  const unique = [...new Set(pids.map((p) => checkInt(p, 0xffffffff, 'pid')))].sort((a, b) => a - b);
  if (unique.length === 0) return 'false';
  const terms = unique.map((pid) => `processId == ${pid}`);
  return `ip and udp and ${terms.length === 1 ? terms[0] : `(${terms.join(' or ')})`}`;
}

/** A test that the destination is outside [first, last]. */
function outside(first: number, last: number): string {
  return first === last
    ? `ip.DstAddr != ${u32ToIp(first)}`
    : `(ip.DstAddr < ${u32ToIp(first)} or ip.DstAddr > ${u32ToIp(last)})`;
}

/**
 * NETWORK layer: the game's outbound UDP/IPv4 packets of `flows`, never to loopback, link-local,
 * multicast, broadcast, DNS, the LAN (unless captureLan) or an excluded range (relays, user excludes).
 */
export function networkFilter(flows: FlowKey[], policy: DestinationPolicy): string {
  if (flows.length === 0) return 'false';
  const seen = new Set<string>();
  const flowTerms: string[] = [];
  if (flows.length <= MAX_FLOW_TERMS) {
    for (const f of flows) {
      const term = `(udp.SrcPort == ${checkInt(f.localPort, 65535, 'port')} and ip.DstAddr == ${u32ToIp(f.remoteIp)} and udp.DstPort == ${checkInt(f.remotePort, 65535, 'port')})`;
      if (!seen.has(term)) flowTerms.push(term);
      seen.add(term);
    }
  } else {
    const ports = [...new Set(flows.map((f) => checkInt(f.localPort, 65535, 'port')))].sort((a, b) => a - b);
    flowTerms.push(...ports.map((p) => `udp.SrcPort == ${p}`));
  }
  const exclusions = excludedRanges(policy).map((r) => outside(r.first, r.last));
  return [
    'outbound and not loopback and ip and udp',
    `udp.DstPort != ${DNS_PORT}`,
    ...exclusions,
    flowTerms.length === 1 ? flowTerms[0] : `(${flowTerms.join(' or ')})`,
  ].join(' and ');
}
