/**
 * The session summary (built CLI, real sockets on loopback): `boost --json` emits {"type": "summary"}
 * just before the stopped state; the plain CLI prints a short block.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { SessionTally } from '../../engine/session-tally.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function boostOnce(json: boolean, sessionsFile = ''): Promise<string[]> {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const relay = await startLocalRelay();
  cleanups.push(() => relay.stop());
  const args = ['boost', '--server', `127.0.0.1:${echo.port}`, '--relay', `127.0.0.1:${relay.dataPort}`];
  args.push('--control', 'off', '--fec', '4', '--keepalive-ms', '100', ...(json ? ['--json'] : []));
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LIGHTSPEED_SELECTOR_DIR: '', LIGHTSPEED_SESSIONS_FILE: sessionsFile },
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const portRe = json ? /"localPort":(\d+)/ : /point the game at 127\.0\.0\.1:(\d+)/;
  await waitFor(() => portRe.test(out), 10_000, 'the local port');
  const port = Number(
    /"localPort":(\d+)/.exec(out)?.[1] ?? /point the game at 127\.0\.0\.1:(\d+)/.exec(out)?.[1],
  );
  const game = await GameTrafficClient.start({ target: { host: '127.0.0.1', port }, pps: 100, count: 100 });
  cleanups.push(() => game.close());
  await waitFor(
    () => game.stats().received >= 50 && /rtt [\d.]+ ms|"p50"/.test(out),
    10_000,
    'traffic and a ping',
  );
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  return out.trim().split('\n');
}

describe('session summary', () => {
  it('boost --json: a summary event right before the stopped state', async () => {
    const lines = await boostOnce(true);
    const events = lines.map(
      (l) => JSON.parse(l) as { type: string; state?: { state: string }; summary?: unknown },
    );
    const at = events.findIndex((e) => e.type === 'summary');
    expect(at).toBeGreaterThan(0);
    expect(events[at + 1]).toMatchObject({ type: 'state', state: { state: 'stopped' } });
    expect(events[at]!.summary).toMatchObject({
      relays: [`127.0.0.1:${String((events[at]!.summary as { relays: string[] }).relays[0]).split(':')[1]}`],
      failovers: 0,
      packetsRecovered: 0,
    });
    const s = events[at]!.summary as {
      msSavedVsDirect: number;
      directMs: number;
      boostedMs: number;
      durationS: number;
      pingP50Ms: number;
      pingP95Ms: number;
      lossBeforeFec: number;
      lossAfterFec: number;
    };
    // The echo server answers the light probe: the direct path was measured, so ms saved is a number
    // (on loopback the relay adds a hop, so it is honestly negative or about zero).
    expect(s.directMs).toBeGreaterThan(0);
    expect(s.boostedMs).toBeGreaterThan(0);
    expect(s.msSavedVsDirect).toBeCloseTo(s.directMs - s.boostedMs, 9);
    // The live comparison came as its own event before the summary.
    expect(events.slice(0, at).some((e) => e.type === 'direct')).toBe(true);
    expect(s.lossAfterFec).toBeLessThanOrEqual(s.lossBeforeFec + 1e-9);
    expect(s.durationS).toBeGreaterThan(0);
    expect(s.pingP95Ms).toBeGreaterThanOrEqual(s.pingP50Ms);
  });

  it('plain boost: a short summary block', async () => {
    const lines = await boostOnce(false);
    const at = lines.indexOf('session summary');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 6).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual([
      'duration',
      'ping',
      'loss',
      'failovers',
      'saved vs direct',
    ]);
    // The echo server answers the light probe: the live line and the block say without → with.
    expect(lines).toContainEqual(
      expect.stringMatching(/^direct path: without LightSpeed [\d.]+ ms → with [\d.]+ ms$/),
    );
    expect(lines[at + 5]).toMatch(
      /^ {2}saved vs direct {2}([\d.]+ ms|none: direct is faster by [\d.]+ ms) \(without LightSpeed [\d.]+ ms → with [\d.]+ ms\)$/,
    );
  });
});

describe('session history in the CLI', () => {
  it('boost keeps its summary in the sessions file; lightspeed sessions lists it (plain and --json)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-cli-sessions-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'lightspeed', 'sessions.json');
    const lines = await boostOnce(true, file);
    const summary = lines
      .map((l) => JSON.parse(l) as { type: string; summary?: { startedAt: string } })
      .find((e) => e.type === 'summary')!.summary!;
    const env = { ...process.env, LIGHTSPEED_SESSIONS_FILE: file };
    const json = spawnSync(process.execPath, [BIN, 'sessions', '--json'], { env, encoding: 'utf8' });
    expect(json.status).toBe(0);
    const listed = (JSON.parse(json.stdout) as { sessions: unknown[] }).sessions;
    expect(listed).toEqual([summary]);
    const plain = spawnSync(process.execPath, [BIN, 'sessions', '--file', file], { encoding: 'utf8' });
    expect(plain.status).toBe(0);
    expect(plain.stdout.trim().split('\n')).toHaveLength(1);
    expect(plain.stdout).toMatch(
      / via 127\.0\.0\.1:\d+ .* without [\d.]+ ms → with [\d.]+ ms, saved -?[\d.]+ ms$/m,
    );
    const bad = spawnSync(process.execPath, [BIN, 'sessions', '--limit', '3'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});

describe('SessionTally', () => {
  it('says why when the direct path was not measured', () => {
    const t = new SessionTally(0);
    t.useRelay('a');
    t.direct = {
      directMs: null,
      boostedMs: null,
      note: 'not measured: the game server answers no light probe',
    };
    expect(t.summary(1000)).toMatchObject({
      msSavedVsDirect: null,
      directMs: null,
      directNote: 'not measured: the game server answers no light probe',
    });
  });

  it('adds up loss before and after FEC, recoveries, relays and ms saved when the direct RTT is known', () => {
    const t = new SessionTally(0);
    t.useRelay('a');
    t.useRelay('a');
    t.add({
      rtts: [10, 12],
      downExpected: 100,
      downReceived: 90,
      fec: true,
      fecLost: 2,
      fecData: 100,
      recoveredTotal: 8,
    });
    t.useRelay('b');
    t.failovers++;
    t.add({
      rtts: [20],
      downExpected: 100,
      downReceived: 100,
      fec: true,
      fecLost: 0,
      fecData: 100,
      recoveredTotal: 8,
    });
    t.direct = { directMs: 30, boostedMs: 12 };
    const s = t.summary(60_000);
    expect(s).toMatchObject({
      startedAt: new Date(0).toISOString(),
      durationS: 60,
      relays: ['a', 'b'],
      pingP50Ms: 12,
      pingP95Ms: 20,
      packetsRecovered: 8,
      failovers: 1,
      msSavedVsDirect: 18,
      directMs: 30,
      boostedMs: 12,
    });
    expect(s.directNote).toBeUndefined();
    expect(s.lossBeforeFec).toBeCloseTo(0.05, 9);
    expect(s.lossAfterFec).toBeCloseTo(0.01, 9);
  });
});
