/**
 * `lightspeed capture` as a child process (the built CLI): usage errors exit 2 naming the problem, and
 * `--check` reports each prerequisite, ok or why not with the fix. The capture itself is tested in
 * network namespaces (engine/capture/capture-netns.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { captureLine, parseTarget } from './capture.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));
const root = process.getuid?.() === 0;

function cli(args: string[], prefix: string[] = []): { code: number | null; out: string; err: string } {
  const [cmd, ...rest] = [...prefix, process.execPath, BIN, 'capture', ...args];
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 30_000, input: '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lightspeed capture: usage', () => {
  it.each([
    [[], /exactly one of --pid N, --process NAME, --game ID/],
    [['--pid', '1', '--game', 'cs2', '--relay', '127.0.0.1:4434'], /exactly one of/],
    [['--pid', 'x', '--relay', '127.0.0.1:4434'], /--pid/],
    [['--pid', '1', '--relay', 'nope'], /--relay: 'nope' has no port/],
    [['--pid', '1', '--relay', '127.0.0.1:1', '--exclude', '10.0.0.0/99'], /--exclude: expected an IPv4/],
    [['--pid', '1', '--relay', '127.0.0.1:1', '--fec', '1'], /--fec/],
    [['--game', 'no-such-game', '--relay', '127.0.0.1:1', '--control', 'off'], /not in the game catalog/],
    [['--request', 'file.json'], /--request: only '-'/],
    [['--pid', '1', '--relay', '127.0.0.1:1', '--control', 'off', '--multipath'], /--multipath needs --exit/],
    [
      ['--pid', '1', '--relay', '127.0.0.1:1', '--control', 'off', '--exit', 'x', '--multipath'],
      /--multipath needs at least two --relay/,
    ],
    [
      ['--pid', '1', '--relay', '127.0.0.1:1', '--control', 'off', '--exit', ''],
      /--exit: expected a relay node id/,
    ],
  ])('%j exits 2 and says why', (args, why) => {
    const r = cli(args);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(why);
  });

  it('--request - refuses a request that is not JSON or has no capture target, as JSON', () => {
    const bad = spawnSync(process.execPath, [BIN, 'capture', '--request', '-', '--json'], {
      encoding: 'utf8',
      input: 'not json\n',
      timeout: 30_000,
    });
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout.trim())).toEqual({
      type: 'start-failed',
      reason: 'the request on stdin is not JSON',
    });
    const none = spawnSync(process.execPath, [BIN, 'capture', '--request', '-', '--json'], {
      encoding: 'utf8',
      input: `${JSON.stringify({ routes: [], relays: [{ host: '127.0.0.1', port: 1 }], fecK: 4 })}\n`,
      timeout: 30_000,
    });
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('the request has no capture target');
  });

  it('parses targets and prints status lines', () => {
    expect(parseTarget({ pid: ['12', '13'] })).toEqual({ kind: 'pid', pids: [12, 13] });
    expect(parseTarget({ game: 'cs2' })).toEqual({ kind: 'game', gameId: 'cs2' });
    expect(parseTarget({ process: 'hl2_linux' })).toEqual({ kind: 'process', name: 'hl2_linux' });
    const procs = [{ pid: 7, name: 'cs2' }];
    expect(captureLine({ phase: 'waiting-for-game', processes: [], ports: [], servers: [] })).toBe(
      'capture: waiting for the game to start…',
    );
    expect(captureLine({ phase: 'waiting-for-traffic', processes: procs, ports: [27005], servers: [] })).toBe(
      'capture: cs2 (7), ports 27005: waiting for game traffic…',
    );
    expect(
      captureLine({
        phase: 'capturing',
        processes: procs,
        ports: [27005],
        servers: [{ address: '203.0.113.7:27015', packets: 9, sockets: 1 }],
      }),
    ).toBe('capture: cs2 (7) → servers 203.0.113.7:27015 (9 pkts)');
  });
});

describe.skipIf(!root)('lightspeed capture --check (root)', () => {
  it('says every prerequisite is met here, and exits 0', () => {
    const r = cli(['--check', '--json']);
    const report = JSON.parse(r.out) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['native-module', true],
      ['privileges', true],
      ['nft', true],
      ['tproxy', true],
    ]);
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });

  it('without the capabilities, names them and the command that grants them, and exits 1', () => {
    // Root, but with CAP_NET_ADMIN and CAP_NET_RAW gone from every set: exactly what a user lacks.
    const r = cli(['--check'], ['setpriv', '--bounding-set=-net_admin,-net_raw', '--inh-caps=-all', '--']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL privileges +missing CAP_NET_ADMIN and CAP_NET_RAW/);
    expect(r.out).toMatch(/fix: sudo lightspeed capture/);
    expect(r.out).toMatch(/FAIL tproxy +not checked: needs CAP_NET_ADMIN/);
    expect(r.out).toMatch(/ok {3}native-module/);
    expect(r.out).toContain('capture cannot work here yet');
  });
});
