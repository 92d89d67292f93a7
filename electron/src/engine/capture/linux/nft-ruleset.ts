/**
 * The nftables ruleset and policy routing of Linux capture, as pure text and argument lists.
 *
 * Everything lives in `table inet lightspeed` and one `ip rule` + one route table of our own, so it is
 * removed whole: deleting the table, the rule and the route restores the direct path at once.
 *
 *   output (type route, priority mangle): a UDP packet from one of the game's ports (set @ports), from a
 *     local address (not our own replies, which carry the server's), to a destination outside @excludes
 *     and not DNS, gets mark M; the route hook re-routes it by the mark.
 *   ip rule fwmark M → table T, where `local 0.0.0.0/0 dev lo` delivers it locally.
 *   prerouting (priority mangle): the marked packet is handed by tproxy to the divert socket, which reads
 *     the original destination (the game server) from IP_ORIGDSTADDR.
 */

import { excludedRanges, parseCidr } from '@lightspeed/native';

export const CAPTURE_TABLE = 'lightspeed';
/** Firewall mark and policy-routing table of capture ("LS"). */
export const CAPTURE_MARK = 0x4c53;
export const CAPTURE_ROUTE_TABLE = 19539;

export interface RulesetOptions {
  /** Port the divert socket listens on (tproxy target, on 127.0.0.1). */
  divertPort: number;
  /** The game's UDP source ports captured now. */
  ports: number[];
  /** Extra destinations never captured (relays, user excludes), IPv4 CIDRs or addresses. */
  excludes: string[];
  captureLan: boolean;
}

/** Checks an IPv4 address or CIDR (so nothing else ever reaches nft's parser); returns it canonical. */
export function checkCidr(value: string): string {
  try {
    return parseCidr(value).text;
  } catch {
    throw new RangeError(`exclude: expected an IPv4 address or CIDR, got '${value}'`);
  }
}

function checkPort(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`port: expected 1..65535, got ${p}`);
  return p;
}

/** Every destination never captured (the one policy Windows uses too), in the set's element syntax. */
export function excludedElements(o: Pick<RulesetOptions, 'excludes' | 'captureLan'>): string[] {
  return [
    ...new Set(
      excludedRanges({ excludes: o.excludes.map(checkCidr), captureLan: o.captureLan }).map((c) => c.text),
    ),
  ];
}

const mark = `0x${CAPTURE_MARK.toString(16)}`;

function portElements(ports: number[]): string {
  const unique = [...new Set(ports.map(checkPort))].sort((a, b) => a - b);
  return unique.length === 0 ? '' : `\n\t\telements = { ${unique.join(', ')} }`;
}

/** The whole table, for `nft -f -` (one atomic transaction; the leading `add`+`delete` replaces any old one). */
export function captureRuleset(o: RulesetOptions): string {
  checkPort(o.divertPort);
  return `add table inet ${CAPTURE_TABLE}
delete table inet ${CAPTURE_TABLE}
table inet ${CAPTURE_TABLE} {
\tset ports {
\t\ttype inet_service${portElements(o.ports)}
\t}
\tset excludes {
\t\ttype ipv4_addr
\t\tflags interval
\t\tauto-merge
\t\telements = { ${excludedElements(o).join(', ')} }
\t}
\tchain output {
\t\ttype route hook output priority mangle; policy accept;
\t\tmeta nfproto ipv4 meta l4proto udp udp sport @ports fib saddr type local ip daddr != @excludes udp dport != 53 meta mark set ${mark}
\t}
\tchain prerouting {
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tmeta nfproto ipv4 meta l4proto udp meta mark ${mark} tproxy ip to 127.0.0.1:${o.divertPort} accept
\t}
}
`;
}

/** Replaces the captured ports in one transaction: no packet sees a half-updated set. */
export function portsUpdate(ports: number[]): string {
  const unique = [...new Set(ports.map(checkPort))].sort((a, b) => a - b);
  const add = unique.length === 0 ? '' : `add element inet ${CAPTURE_TABLE} ports { ${unique.join(', ')} }\n`;
  return `flush set inet ${CAPTURE_TABLE} ports\n${add}`;
}

/** Removes the table; `add` first so it succeeds whether or not the table exists. */
export function removeRuleset(): string {
  return `add table inet ${CAPTURE_TABLE}\ndelete table inet ${CAPTURE_TABLE}\n`;
}

/** `ip` argument lists that install the policy routing. */
export function routingUp(): string[][] {
  return [
    [
      '-4',
      'rule',
      'add',
      'fwmark',
      mark,
      'lookup',
      String(CAPTURE_ROUTE_TABLE),
      'priority',
      String(CAPTURE_ROUTE_TABLE),
    ],
    ['-4', 'route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(CAPTURE_ROUTE_TABLE)],
  ];
}

/** `ip` argument lists that remove it (the rule is deleted until none is left; see `removeRouting`). */
export function routingDown(): { rule: string[]; route: string[] } {
  return {
    rule: ['-4', 'rule', 'del', 'fwmark', mark, 'lookup', String(CAPTURE_ROUTE_TABLE)],
    route: ['-4', 'route', 'flush', 'table', String(CAPTURE_ROUTE_TABLE)],
  };
}
