import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, configWarnings, loadConfigFile, resolveConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'ls-proxy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('applies every default to an empty config', () => {
    const c = resolveConfig({});
    expect(c.server).toMatchObject({
      data_bind: '0.0.0.0:4434',
      control_bind: '0.0.0.0:4433',
      health_bind: '127.0.0.1:8080',
    });
    expect(c.security).toMatchObject({ require_auth: true, allow_destinations: [], max_sessions: 10_000 });
    expect(c.rate_limit).toEqual({ pps: 1000, bps: 1_000_000 });
    expect(c.session.timeout_s).toBe(300);
    expect(c.fec).toEqual({ k: 4, flush_ms: 5 });
    expect(c.log.level).toBe('info');
    expect(c.server.node_id.length).toBeGreaterThan(0);
  });

  it('names the key path and the problem', () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { security: { allow_destinations: ['127.0.0.0/8', '10.0.0.0/33'] } },
        'security.allow_destinations[1]',
        /prefix length/,
      ],
      [{ security: { allow_destinations: ['10.0.0.1/8'] } }, 'security.allow_destinations[0]', /host bits/],
      [{ server: { dat_bind: '1.2.3.4:5' } }, 'server.dat_bind', /unknown key/],
      [{ sever: {} }, 'sever', /unknown key/],
      [{ server: { data_bind: 'localhost:4434' } }, 'server.data_bind', /not an IP address/],
      [{ server: { data_bind: '[::]:4434' } }, 'server.data_bind', /must be IPv4/],
      [{ server: { health_bind: '0.0.0.0:70000' } }, 'server.health_bind', /out of range/],
      [{ rate_limit: { pps: -5 } }, 'rate_limit.pps', /./],
      [{ rate_limit: { bps: 'fast' } }, 'rate_limit.bps', /number/],
      [{ fec: { k: 1 } }, 'fec.k', /./],
      [{ session: { timeout_s: 0 } }, 'session.timeout_s', /./],
      [{ log: { level: 'loud' } }, 'log.level', /./],
      [{ security: { require_auth: 'yes' } }, 'security.require_auth', /boolean/],
    ];
    for (const [input, path, problem] of cases) {
      const err = errorOf(() => resolveConfig(input));
      expect(err.path, JSON.stringify(input)).toBe(path);
      expect(err.problem).toMatch(problem);
      expect(err.message).toContain(path);
    }
  });

  it('reports every bad key at once, not only the first', () => {
    const err = errorOf(() =>
      resolveConfig({
        server: { health_bind: 'x', dat_bind: '1.2.3.4:5', colour: 'red' },
        rate_limit: { pps: -5 },
        log: { level: 'loud' },
      }),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'log.level',
      'rate_limit.pps',
      'server.colour',
      'server.dat_bind',
      'server.health_bind',
    ]);
    for (const i of err.issues) expect(err.message).toContain(i.path);
  });

  it('warns about an open relay and about /metrics reachable from outside', () => {
    expect(configWarnings(resolveConfig({}))).toEqual([]);
    expect(configWarnings(resolveConfig({ server: { health_bind: '[::1]:9' } }))).toEqual([]);
    const w = configWarnings(
      resolveConfig({ server: { health_bind: '0.0.0.0:8080' }, security: { require_auth: false } }),
    );
    expect(w.map((x) => x.path)).toEqual(['security.require_auth', 'server.health_bind']);
    expect(w[1]!.problem).toMatch(/\/metrics/);
    expect(configWarnings(resolveConfig({ server: { health_bind: '[::]:8080' } }))).toHaveLength(1);
  });

  it('accepts IPv6 binds for the HTTP and control endpoints and fractional timeouts', () => {
    const c = resolveConfig({ server: { health_bind: '[::1]:8080' }, session: { timeout_s: 0.25 } });
    expect(c.server.health_bind).toBe('[::1]:8080');
    expect(c.session.timeout_s).toBe(0.25);
  });
});

describe('loadConfigFile', () => {
  it('loads the shipped example, which sets every key', () => {
    const path = new URL('../../config.example.toml', import.meta.url).pathname;
    const c = loadConfigFile(path);
    expect(c.server.node_id).toBe('relay-fra-1');
    expect(c.security.require_auth).toBe(true);
    // Every key that has a default appears, uncommented, in the example itself.
    const raw = parseToml(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
    const defaults = resolveConfig({});
    for (const [section, values] of Object.entries(defaults)) {
      for (const key of Object.keys(values)) {
        expect(raw[section], `${section}.${key}`).toHaveProperty(key);
      }
    }
  });

  it('reads TOML and names the bad key', () => {
    const ok = loadConfigFile(
      file('ok.toml', '[security]\nrequire_auth = false\nallow_destinations = ["127.0.0.0/8"]\n'),
    );
    expect(ok.security.allow_destinations).toEqual(['127.0.0.0/8']);
    const err = errorOf(() =>
      loadConfigFile(file('bad.toml', '[security]\nallow_destinations = ["127.0.0.0/8", "nope"]\n')),
    );
    expect(err.path).toBe('security.allow_destinations[1]');
  });

  it('reports TOML syntax errors with a line number and missing files clearly', () => {
    const syntax = errorOf(() => loadConfigFile(file('syntax.toml', '[server]\nnode_id = \n')));
    expect(syntax.message).toMatch(/syntax\.toml:2:\d+: TOML syntax error/);
    const missing = errorOf(() => loadConfigFile(join(dir, 'missing.toml')));
    expect(missing.message).toMatch(/cannot read config file/);
  });
});
