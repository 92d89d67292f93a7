/**
 * The built `lightspeed` CLI as a child process (run `npx tsc -b electron` first; `npm test` does):
 * usage errors exit 2, and demo, probe, boost and lossy-link do their jobs on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DeployedStyleRelay } from '../../test-support/deployed-relay.js';
import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/cli/commands/demo.js', import.meta.url));

interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (buf !== '') lines.push(buf);
      resolve(code);
    }),
  );
  running.push(child);
  return { child, lines, stderr, exit };
}

const running: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error('electron/dist is missing: build first with `npx tsc -b electron`');
});

describe('lightspeed CLI usage errors exit 2 with a message naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [['boost', '--relay', '127.0.0.1:4434'], /--server HOST:PORT is required/],
    [['boost', '--server', '127.0.0.1:9', '--relay', 'nope'], /--relay: 'nope' has no port/],
    [
      ['boost', '--server', '127.0.0.1:99999', '--relay', '127.0.0.1:4434'],
      /--server: port 99999 is out of range/,
    ],
    [['boost', '--server', '127.0.0.1:x', '--relay', '127.0.0.1:4434'], /--server: port 'x' is not a number/],
    [['boost', '--server', 'a b:7', '--relay', '127.0.0.1:4434'], /--server: host 'a b' is not/],
    [['lossy-link', '--listen', '127.0.0.1:0', '--forward', ':9'], /--forward: ':9' has no host/],
    [['boost', '--server', '127.0.0.1:9', '--relay', '127.0.0.1:4434', '--fec', '1'], /--fec/],
    [['boost', '--server', '127.0.0.1:9', '--relay', '127.0.0.1:4434', '--bogus'], /bogus/],
    [['probe', '--count', '0', '--relay', '127.0.0.1:4434'], /--count/],
    [['demo', '--duration', 'soon'], /--duration/],
    [['lossy-link', '--listen', '127.0.0.1:0', '--forward', '127.0.0.1:9', '--loss', '2'], /--loss/],
    [['lossy-link', '--forward', '127.0.0.1:9'], /--listen HOST:PORT is required/],
    [['bogus'], /unknown command 'bogus'/],
    [[], /Usage: lightspeed <command>/],
  ];
  for (const [args, message] of cases) {
    it(`lightspeed ${args.join(' ')}`, async () => {
      const r = run(args);
      expect(await r.exit).toBe(2);
      const stderr = r.stderr.join('');
      expect(stderr).toMatch(message);
      if (args.length === 0) return; // bare `lightspeed` lists the commands
      // One line naming the problem and a pointer to --help, not the whole help text.
      expect(stderr.trimEnd().split('\n')).toHaveLength(2);
      expect(stderr).toMatch(/\nsee 'lightspeed (\S+ )?--help'\n$/);
      expect(stderr).not.toContain('Usage:');
    });
  }

  it('--version prints the version and exits 0', async () => {
    const r = run(['--version']);
    expect(await r.exit).toBe(0);
    expect(r.lines).toEqual([expect.stringMatching(/^lightspeed \d+\.\d+\.\d+/)]);
  });

  it('--help exits 0 with an example', async () => {
    for (const cmd of ['boost', 'probe', 'demo', 'lossy-link']) {
      const r = run([cmd, '--help']);
      expect(await r.exit).toBe(0);
      expect(r.lines.join('\n')).toMatch(/Example:\n\s+lightspeed /);
    }
  });
});

describe('lightspeed commands on loopback', () => {
  it('demo --duration 3 --json: FEC recovers losses and the process exits 0', async () => {
    const r = run(['demo', '--duration', '3', '--json']);
    expect(await r.exit).toBe(0);
    const objects = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = objects.find((o) => o.type === 'summary') as {
      sent: number;
      rawRoundTripLoss: number;
      residualLoss: number;
      fecRebuilt: number;
    };
    expect(objects.filter((o) => o.type === 'demo').length).toBeGreaterThanOrEqual(2);
    expect(summary.sent).toBeGreaterThan(150);
    expect(summary.rawRoundTripLoss).toBeGreaterThan(0);
    expect(summary.residualLoss).toBeLessThan(summary.rawRoundTripLoss);
  });

  it('boost carries a game through a deployed-style relay, prints a status line per second, stops on SIGINT', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((res) => probe.bind({ address: '127.0.0.1', port: 0 }, () => res()));
    const localPort = probe.address().port;
    await new Promise<void>((res) => probe.close(() => res()));
    const r = run([
      'boost',
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${relay.port}`,
      '--local-port',
      String(localPort),
      '--fec',
      '2',
    ]);
    await waitFor(() => r.lines.some((l) => l.startsWith('boosting:')), 10_000, 'boost to start');
    expect(r.lines.find((l) => l.startsWith('boosting:'))).toContain(`127.0.0.1:${localPort}`);
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: localPort },
      pps: 100,
      count: 200,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await waitFor(() => game.stats().received === 200, 5000, 'echoes through the CLI');
    await waitFor(
      () => r.lines.filter((l) => /keepalive loss .* loss down .* after FEC/.test(l)).length >= 2,
      5000,
      'status lines',
    );
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
  });

  it('probe ranks a live relay above a dead one', async () => {
    const relay = await DeployedStyleRelay.start();
    cleanups.push(() => relay.kill());
    const dead = await DeployedStyleRelay.start();
    const deadPort = dead.port;
    await dead.kill();
    const r = run([
      'probe',
      '--relay',
      `127.0.0.1:${deadPort}`,
      '--relay',
      `127.0.0.1:${relay.port}`,
      '--count',
      '3',
      '--json',
    ]);
    expect(await r.exit).toBe(0);
    const ranked = JSON.parse(r.lines[0]!) as { relay: { id: string }; reachable: boolean }[];
    expect(ranked.map((x) => [x.relay.id, x.reachable])).toEqual([
      [`127.0.0.1:${relay.port}`, true],
      [`127.0.0.1:${deadPort}`, false],
    ]);
  });

  it('lossy-link forwards both ways with the requested loss and reports counters', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const r = run([
      'lossy-link',
      '--listen',
      '127.0.0.1:0',
      '--forward',
      `127.0.0.1:${echo.port}`,
      '--loss',
      '0.2',
      '--seed',
      '9',
      '--json',
    ]);
    await waitFor(() => r.lines.length > 0, 10_000, 'listening line');
    const hello = JSON.parse(r.lines[0]!) as { listen: string };
    const port = Number(hello.listen.split(':')[1]);
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port },
      pps: 1000,
      size: 64,
      count: 2000,
    });
    cleanups.push(() => game.close());
    await game.finished();
    await new Promise((res) => setTimeout(res, 300));
    const got = game.stats().received / 2000;
    // 0.8 × 0.8 = 0.64 of round trips survive; ±0.06 is > 5 sigma for 2000 packets.
    expect(got).toBeGreaterThan(0.58);
    expect(got).toBeLessThan(0.7);
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
    const last = JSON.parse(r.lines[r.lines.length - 1]!) as { up: { received: number; dropped: number } };
    expect(last.up.received).toBe(2000);
    expect(last.up.dropped / 2000).toBeGreaterThan(0.16);
    expect(last.up.dropped / 2000).toBeLessThan(0.24);
  });
});
