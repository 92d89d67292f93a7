import { describe, expect, it } from 'vitest';

import { firewallRuleset, removalScript } from './ruleset.js';
import { ConfigError, resolveConfig } from '../config/config.js';
import { rulesFromConfig } from './nft.js';

const GOLDEN = `table inet lightspeed_relay {}
delete table inet lightspeed_relay
table inet lightspeed_relay {
\tcounter short_dropped {}
\tcounter flood_dropped {}
\tset sources_v4 {
\t\ttype ipv4_addr
\t\tsize 65536
\t\tflags dynamic,timeout
\t\ttimeout 60s
\t}
\tset sources_v6 {
\t\ttype ipv6_addr
\t\tsize 65536
\t\tflags dynamic,timeout
\t\ttimeout 60s
\t}
\tchain prerouting {
\t\ttype filter hook prerouting priority raw; policy accept;
\t\tudp dport 4434 udp length < 28 counter name short_dropped drop
\t\tudp dport 4434 update @sources_v4 { ip saddr limit rate over 4000/second burst 1000 packets } counter name flood_dropped drop
\t\tudp dport 4434 update @sources_v6 { ip6 saddr and ffff:ffff:ffff:ffff:: limit rate over 4000/second burst 1000 packets } counter name flood_dropped drop
\t}
}
`;

describe('firewall ruleset', () => {
  it('renders the default config as the golden text', () => {
    const rules = rulesFromConfig(resolveConfig({ firewall: { enabled: true } }));
    expect(rules).toEqual({
      dataPort: 4434,
      perSourcePps: 4000,
      burst: 1000,
      maxSources: 65536,
      sourceTimeoutS: 60,
    });
    expect(firewallRuleset(rules)).toBe(GOLDEN);
  });

  it('takes port and limits from the config', () => {
    const text = firewallRuleset(
      rulesFromConfig(
        resolveConfig({
          server: { data_bind: '0.0.0.0:5000' },
          rate_limit: { pps: 500 },
          firewall: { enabled: true, max_sources: 1024, source_timeout_s: 5 },
        }),
      ),
    );
    expect(text).toContain(
      'udp dport 5000 update @sources_v4 { ip saddr limit rate over 2000/second burst 500 packets }',
    );
    expect(text).toContain('size 1024');
    expect(text).toContain('timeout 5s');
    expect(text).not.toContain('4434');
    const explicit = firewallRuleset(
      rulesFromConfig(resolveConfig({ firewall: { enabled: true, per_source_pps: 1234, burst: 77 } })),
    );
    expect(explicit).toContain('limit rate over 1234/second burst 77 packets');
  });

  it('touches only its own table: every statement names inet lightspeed_relay', () => {
    const top = (s: string): string[] =>
      s.split('\n').filter((l) => l !== '' && !l.startsWith('\t') && l !== '}');
    expect(top(GOLDEN)).toEqual([
      'table inet lightspeed_relay {}',
      'delete table inet lightspeed_relay',
      'table inet lightspeed_relay {',
    ]);
    expect(removalScript()).toBe('table inet lightspeed_relay {}\ndelete table inet lightspeed_relay\n');
  });

  it('refuses a data port of 0', () => {
    expect(() => rulesFromConfig(resolveConfig({ server: { data_bind: '0.0.0.0:0' } }))).toThrow(ConfigError);
  });
});

describe('[firewall] config section', () => {
  it('defaults: disabled, limits derived from [rate_limit]', () => {
    expect(resolveConfig({}).firewall).toEqual({
      enabled: false,
      per_source_pps: 4000,
      burst: 1000,
      max_sources: 65536,
      source_timeout_s: 60,
    });
    const derived = resolveConfig({ rate_limit: { pps: 300 } }).firewall;
    expect(derived.per_source_pps).toBe(1200);
    expect(derived.burst).toBe(300);
    // A resolved config resolves to itself (startRelay re-validates what it is given).
    const c = resolveConfig({ firewall: { enabled: true } });
    expect(resolveConfig(c)).toEqual(c);
    // Derived values stay within what nft takes, and a huge rate_limit still resolves twice.
    const huge = resolveConfig({ rate_limit: { pps: 10_000_000_000 } });
    expect(huge.firewall.per_source_pps).toBe(4_294_967_295);
    expect(resolveConfig(huge)).toEqual(huge);
  });

  it('names the bad key', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ firewall: { enabled: 'yes' } }, 'firewall.enabled', /boolean/],
      [{ firewall: { per_source_pps: 0 } }, 'firewall.per_source_pps', /./],
      [{ firewall: { per_source_pps: 1.5 } }, 'firewall.per_source_pps', /./],
      [{ firewall: { burst: -1 } }, 'firewall.burst', /./],
      [{ firewall: { max_sources: 0 } }, 'firewall.max_sources', /./],
      [{ firewall: { source_timeout_s: 0 } }, 'firewall.source_timeout_s', /./],
      [{ firewall: { rate: 5 } }, 'firewall.rate', /unknown key/],
      [{ firewall: { per_source_pps: 500 } }, 'firewall.per_source_pps', /at least rate_limit\.pps \(1000\)/],
      [
        { firewall: { enabled: true }, server: { data_bind: '0.0.0.0:0' } },
        'firewall.enabled',
        /fixed .*port/,
      ],
    ];
    for (const [input, path, problem] of cases) {
      let err: unknown;
      try {
        resolveConfig(input);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(input)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path, JSON.stringify(input)).toBe(path);
      expect((err as ConfigError).problem).toMatch(problem);
    }
  });
});
