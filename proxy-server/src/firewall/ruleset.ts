/**
 * The relay's own nftables table: per-source packet-rate limits on the data port, enforced in the kernel
 * before packets reach the relay's socket queue. Pure text generation (golden-tested); `nft.ts` applies it.
 */

/** The table `firewall apply` installs and `firewall remove` deletes; nothing else is ever touched. */
export const FIREWALL_TABLE = 'inet lightspeed_relay';

export interface FirewallRules {
  /** UDP port of the relay's data plane (server.data_bind). */
  dataPort: number;
  /** Packets/s one source IPv4 address (or IPv6 /64) may send to the data port; above it, dropped. */
  perSourcePps: number;
  /** Packets a source may send above the rate at once (the token bucket's depth). */
  burst: number;
  /** Most sources tracked at once (size of each dynamic set). */
  maxSources: number;
  /** A source not seen for this long is forgotten (seconds). */
  sourceTimeoutS: number;
}

/**
 * The nft script that atomically replaces the table (`nft -f -` runs a file as one transaction): the
 * `table … {}` + `delete table` pair makes the delete succeed whether or not the table exists.
 *
 * - `prerouting` at priority `raw` runs before connection tracking, so a flood does not fill conntrack.
 * - Datagrams to the data port too short for a tunnel header (UDP length < 8 + 20) are dropped.
 * - Each source gets its own token bucket in a dynamic set (`update @set { key limit rate over … }`):
 *   only the packets above its rate are dropped; other sources are not affected.
 * - IPv6 sources are keyed by their /64 (one host usually holds a whole /64).
 */
export function firewallRuleset(r: FirewallRules): string {
  const port = r.dataPort;
  const limit = `limit rate over ${r.perSourcePps}/second burst ${r.burst} packets`;
  const set = (name: string, type: string): string[] => [
    `\tset ${name} {`,
    `\t\ttype ${type}`,
    `\t\tsize ${r.maxSources}`,
    '\t\tflags dynamic,timeout',
    `\t\ttimeout ${r.sourceTimeoutS}s`,
    '\t}',
  ];
  return [
    `table ${FIREWALL_TABLE} {}`,
    `delete table ${FIREWALL_TABLE}`,
    `table ${FIREWALL_TABLE} {`,
    '\tcounter short_dropped {}',
    '\tcounter flood_dropped {}',
    ...set('sources_v4', 'ipv4_addr'),
    ...set('sources_v6', 'ipv6_addr'),
    '\tchain prerouting {',
    '\t\ttype filter hook prerouting priority raw; policy accept;',
    `\t\tudp dport ${port} udp length < 28 counter name short_dropped drop`,
    `\t\tudp dport ${port} update @sources_v4 { ip saddr ${limit} } counter name flood_dropped drop`,
    `\t\tudp dport ${port} update @sources_v6 { ip6 saddr and ffff:ffff:ffff:ffff:: ${limit} } counter name flood_dropped drop`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** The nft script that deletes the table if present (and succeeds if it is not). */
export function removalScript(): string {
  return `table ${FIREWALL_TABLE} {}\ndelete table ${FIREWALL_TABLE}\n`;
}
