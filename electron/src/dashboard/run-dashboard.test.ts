import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEFAULT_SETTINGS } from '@lightspeed/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createGamesProvider } from '../ipc-backend/index.js';
import { runDashboard, type RunningDashboard } from './run-dashboard.js';

let dir: string;
let running: RunningDashboard | null = null;
let warnings: string[];

async function start(settingsFile?: string): Promise<RunningDashboard> {
  running = await runDashboard({
    host: '127.0.0.1',
    port: 0,
    uiDir: path.join(dir, 'ui'),
    games: createGamesProvider({
      platform: 'linux',
      env: { HOME: dir },
      root: dir,
      listProcesses: () => Promise.resolve([]),
    }),
    log: { warn: (m) => warnings.push(m) },
    ...(settingsFile !== undefined ? { settingsFile } : {}),
  });
  return running;
}

async function stop(): Promise<void> {
  await running?.close();
  running = null;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ls-run-dashboard-'));
  warnings = [];
  await mkdir(path.join(dir, 'ui'), { recursive: true });
  await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>LightSpeed</title>');
});

afterEach(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

describe('runDashboard settings', () => {
  it('keeps settings changed in the UI in its file, and starts from them next time', async () => {
    const file = path.join(dir, 'config', 'lightspeed', 'dashboard-settings.json');
    const first = await start(file);
    expect(first.settings).toEqual({ file, loaded: false });
    const relays = [{ host: '203.0.113.7', port: 4434, id: 'la-1', region: 'us-west' }];
    await first.backend.handlers.settings.set({ fecLevel: 'strong', keepaliveIntervalMs: 250, relays });
    await stop();
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ fecLevel: 'strong', keepaliveIntervalMs: 250, relays });

    const second = await start(file);
    expect(second.settings).toEqual({ file, loaded: true });
    const snapshot = await second.backend.handlers.state.get(undefined);
    expect(snapshot.settings).toMatchObject({ fecLevel: 'strong', keepaliveIntervalMs: 250, relays });
    expect(warnings).toEqual([]);
  });

  it('starts from the defaults on a corrupt file, says why, and keeps the bad file aside', async () => {
    const file = path.join(dir, 'dashboard-settings.json');
    await writeFile(file, '{ not json');
    const r = await start(file);
    expect(r.settings).toEqual({ file, loaded: false });
    expect((await r.backend.handlers.state.get(undefined)).settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings.join('\n')).toMatch(/not valid JSON.*kept as .*\.corrupt/);
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe('{ not json');
  });

  it('keeps nothing without a file, and refuses a file for the demo', async () => {
    const r = await start();
    expect(r.settings).toBeNull();
    await r.backend.handlers.settings.set({ fecLevel: 'off' });
    await stop();
    await expect(
      runDashboard({
        host: '127.0.0.1',
        port: 0,
        uiDir: path.join(dir, 'ui'),
        demo: true,
        settingsFile: path.join(dir, 'x.json'),
      }),
    ).rejects.toThrow(/demo/);
  });
});
