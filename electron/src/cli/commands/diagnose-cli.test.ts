/**
 * `lightspeed diagnose` (built CLI, real sockets on loopback): the direct path through a slow, lossy link
 * against a relay with a clean path; and a direct path that is simply better.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { EchoServer, LossyLink } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { parseWarpStatus } from '../../engine/diagnose/warp.js';
import { verdictFor } from '../../engine/diagnose/path-probe.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { sourceRouter } from '../../test-support/source-router.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Report {
  direct: { rtt_ms: number | null; loss_pct: number };
  relays: { relay: string; rtt_ms: number | null; loss_pct: number }[];
  verdict: string;
}

describe('lightspeed diagnose', () => {
  it('says how much boosting saves when the direct path is slow and lossy', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const slow = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: echo.port },
      delayMs: 15,
      up: { delayMs: 15, loss: 0.2 },
      seed: 7,
    });
    cleanups.push(() => slow.stop());
    const server = await sourceRouter(echo.port, '127.0.0.1', slow.port);
    cleanups.push(() => Promise.resolve(server.close()));
    const serverPort = server.port;
    const relay = await startLocalRelay({ host: '127.0.0.2' });
    cleanups.push(() => relay.stop());
    const label = `127.0.0.2:${relay.dataPort}`;
    const r = await cli([
      'diagnose',
      '--server',
      `127.0.0.1:${serverPort}`,
      '--relay',
      label,
      '--count',
      '20',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report;
    expect(Object.keys(report)).toEqual(['direct', 'relays', 'verdict']);
    expect(report.relays.map((x) => x.relay)).toEqual([label]);
    expect(report.direct.rtt_ms).toBeGreaterThan(25);
    expect(report.direct.loss_pct).toBeGreaterThan(0);
    expect(report.relays[0]!.rtt_ms).toBeLessThan(report.direct.rtt_ms!);
    expect(report.relays[0]!.loss_pct).toBe(0);
    expect(report.verdict).toMatch(
      new RegExp(`^boosting helps via ${label}: [\\d.]+ ms saved, [\\d.]+% loss avoided`),
    );
    expect(r.stderr).toMatch(/Cloudflare WARP: /);
  });

  it('says direct is better when it is, and prints a table without --json', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const link = await LossyLink.start({
      listen: { host: '127.0.0.1', port: 0 },
      forward: { host: '127.0.0.1', port: relay.dataPort },
      delayMs: 10,
    });
    cleanups.push(() => link.stop());
    const r = await cli([
      'diagnose',
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `localhost:${link.port}`,
      '--count',
      '5',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^direct\s+[\d.]+ ms {2}loss 0\.0%/m);
    expect(r.stdout).toMatch(new RegExp(`^via localhost:${link.port}\\s+[\\d.]+ ms`, 'm'));
    expect(r.stdout).toMatch(/^direct is better: /m);
  });

  it('is a usage error without --server', async () => {
    const r = await cli(['diagnose', '--relay', '127.0.0.1:1']);
    expect(r.code).toBe(2);
  });
});

describe('diagnose pieces', () => {
  it('reads warp-cli status lines', () => {
    expect(parseWarpStatus('Status update: Connected\nNetwork: healthy\n').connected).toBe(true);
    expect(parseWarpStatus('Status update: Disconnected\nReason: Manual Disconnection').connected).toBe(
      false,
    );
    expect(parseWarpStatus('Status: Connecting').connected).toBe(false);
  });

  it('accounts for WARP in the verdict and handles paths that never answered', () => {
    const ok = { rttMs: 40, lossPct: 0, sent: 10, received: 10 };
    const none = { rttMs: null, lossPct: 100, sent: 10, received: 0 };
    expect(
      verdictFor(ok, [{ relay: 'r:1', result: { ...ok, rttMs: 50 } }], { connected: true }).verdict,
    ).toMatch(/direct is better: .*Cloudflare WARP/);
    expect(verdictFor(none, [{ relay: 'r:1', result: none }]).verdict).toMatch(/answered no probe/);
    expect(verdictFor(ok, [{ relay: 'r:1', result: none }]).verdict).toMatch(/no relay path answered/);
  });
});
