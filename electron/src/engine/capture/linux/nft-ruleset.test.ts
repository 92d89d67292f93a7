import { describe, expect, it } from 'vitest';

import {
  captureRuleset,
  checkCidr,
  portsUpdate,
  removeRuleset,
  routingDown,
  routingUp,
} from './nft-ruleset.js';

describe('capture ruleset', () => {
  it('is the golden text: own table, port set, excludes, mark in output, tproxy in prerouting', () => {
    expect(
      captureRuleset({
        divertPort: 40123,
        ports: [6000, 5000, 6000],
        excludes: ['198.51.100.2'],
        captureLan: false,
      }),
    ).toBe(`add table inet lightspeed
delete table inet lightspeed
table inet lightspeed {
\tset ports {
\t\ttype inet_service
\t\telements = { 5000, 6000 }
\t}
\tset excludes {
\t\ttype ipv4_addr
\t\tflags interval
\t\tauto-merge
\t\telements = { 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32, 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, 198.51.100.2/32 }
\t}
\tchain output {
\t\ttype route hook output priority mangle; policy accept;
\t\tmeta nfproto ipv4 meta l4proto udp udp sport @ports fib saddr type local ip daddr != @excludes udp dport != 53 meta mark set 0x4c53
\t}
\tchain prerouting {
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tmeta nfproto ipv4 meta l4proto udp meta mark 0x4c53 tproxy ip to 127.0.0.1:40123 accept
\t}
}
`);
  });

  it('leaves the LAN out of the excludes when asked to capture it, and writes no elements for no ports', () => {
    const text = captureRuleset({ divertPort: 1, ports: [], excludes: [], captureLan: true });
    expect(text).not.toContain('192.168.0.0/16');
    expect(text).toContain(
      'elements = { 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32 }',
    );
    expect(text).toContain('\t\ttype inet_service\n\t}');
  });

  it('updates ports in one transaction', () => {
    expect(portsUpdate([7, 3, 7])).toBe(
      'flush set inet lightspeed ports\nadd element inet lightspeed ports { 3, 7 }\n',
    );
    expect(portsUpdate([])).toBe('flush set inet lightspeed ports\n');
    expect(removeRuleset()).toBe('add table inet lightspeed\ndelete table inet lightspeed\n');
  });

  it('lets nothing but addresses, CIDRs and ports reach nft', () => {
    expect(checkCidr('203.0.113.7')).toBe('203.0.113.7/32');
    expect(checkCidr('203.0.113.0/24')).toBe('203.0.113.0/24');
    for (const bad of ['203.0.113.7; flush ruleset', '300.1.1.1', '1.2.3.4/33', 'example.com', '']) {
      expect(() => checkCidr(bad)).toThrow(/exclude/);
    }
    expect(() => captureRuleset({ divertPort: 0, ports: [], excludes: [], captureLan: false })).toThrow(
      /port/,
    );
    expect(() => portsUpdate([70000])).toThrow(/port/);
  });

  it('routes the mark to a local table and removes exactly that', () => {
    expect(routingUp()).toEqual([
      ['-4', 'rule', 'add', 'fwmark', '0x4c53', 'lookup', '19539', 'priority', '19539'],
      ['-4', 'route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '19539'],
    ]);
    expect(routingDown()).toEqual({
      rule: ['-4', 'rule', 'del', 'fwmark', '0x4c53', 'lookup', '19539'],
      route: ['-4', 'route', 'flush', 'table', '19539'],
    });
  });
});
