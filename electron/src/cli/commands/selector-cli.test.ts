/**
 * `--selector` on the CLI (built; run `npx tsc -b electron` first): bad values are usage errors, probe
 * says when the learned selector falls back to nearest, and `probe --server` shows our relays' own legs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { EchoServer, GameTrafficClient } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine, NearestSelector } from '../../engine/index.js';
import { startLocalRelay } from '../../test-support/local-relay.js';
import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LIGHTSPEED_SELECTOR_DIR: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('--selector', () => {
  it('is a usage error when it is neither ml nor nearest, on boost, probe and capture', async () => {
    for (const cmd of [
      ['boost', '--server', '127.0.0.1:9', '--relay', '127.0.0.1:9'],
      ['probe', '--relay', '127.0.0.1:9'],
      ['capture', '--pid', '1', '--relay', '127.0.0.1:9'],
    ]) {
      const r = await cli([...cmd, '--selector', 'fastest']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--selector: expected ml or nearest, got 'fastest'/);
    }
  });

  it('--explore is probe, copies or off on boost and capture; anything else is a usage error', async () => {
    for (const cmd of [
      ['boost', '--server', '127.0.0.1:9', '--relay', '127.0.0.1:9'],
      ['capture', '--pid', '1', '--relay', '127.0.0.1:9'],
    ]) {
      const r = await cli([...cmd, '--explore', 'always']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--explore: expected probe, copies, off, got 'always'/);
    }
    const help = await cli(['boost', '--help']);
    expect(help.stdout).toMatch(/--explore MODE/);
  });

  it('probe: the learned selector says it fell back to nearest; nearest says nothing', async () => {
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const ml = await cli(['probe', '--relay', `127.0.0.1:${relay.dataPort}`, '--count', '3']);
    expect(ml.code).toBe(0);
    expect(ml.stdout).toMatch(/selector: ml fell back to nearest: nothing known yet/);
    const nearest = await cli([
      'probe',
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--count',
      '3',
      '--selector',
      'nearest',
    ]);
    expect(nearest.code).toBe(0);
    expect(nearest.stdout).not.toMatch(/selector:/);
  });

  it('probe --server: our relay reports its own leg to a server it has carried traffic to', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const relay = await startLocalRelay();
    cleanups.push(() => relay.stop());
    const engine = new BoostEngine({ selector: new NearestSelector() });
    cleanups.push(() => engine.stop());
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [{ host: '127.0.0.1', port: relay.dataPort }],
      fecK: 0,
    });
    const game = await GameTrafficClient.start({
      target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
      pps: 100,
      count: 20,
    });
    cleanups.push(() => game.close());
    await waitFor(() => game.stats().received >= 10, 5000, 'echoes through the relay');
    const r = await cli([
      'probe',
      '--relay',
      `127.0.0.1:${relay.dataPort}`,
      '--server',
      `127.0.0.1:${echo.port}`,
      '--count',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const ranked = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { serverLegMs?: number }[];
    expect(ranked[0]!.serverLegMs).toBeGreaterThanOrEqual(0);
  });
});
