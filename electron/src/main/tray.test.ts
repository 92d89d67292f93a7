import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BoostState, BoostStats, BoostStatus, RelayRef } from '@lightspeed/shared';
import { describe, expect, it } from 'vitest';

import { classifyRoute, classifyStats, DEFAULT_THRESHOLDS, ROUTE_HEALTH_LEVELS } from './route-health.js';
import { trayIconFile, trayMenu, trayModel, trayTooltip, TOOLTIP_MAX, type TrayView } from './tray-model.js';
import { TrayState } from './tray-state.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const la1: RelayRef = { id: 'la-1', address: '203.0.113.7:4500', region: 'Los Angeles' };
const ny2: RelayRef = { id: 'ny-2', address: '203.0.113.8:4500' };
const active: BoostState = { state: 'active', relay: la1, sinceMs: 0 };

function stats(over: Partial<BoostStats> = {}): BoostStats {
  return {
    atMs: 1,
    relay: la1,
    rtt: { min: 30, p50: 32, p95: 40, last: 31.6 },
    jitterMs: 2,
    lossUp: 0.01,
    lossDown: 0.03,
    lossDownAfterFec: 0.002,
    fecRecovered: 12,
    packetsUp: 100,
    packetsDown: 100,
    bytesUp: 1,
    bytesDown: 1,
    ...over,
  };
}

const view = (over: Partial<TrayView> = {}): TrayView => ({
  state: active,
  stats: stats(),
  game: 'Fortnite',
  lastGame: { id: 'fortnite', name: 'Fortnite' },
  ...over,
});

describe('route health', () => {
  it('is good, degraded or bad by the worst of RTT, jitter and residual loss', () => {
    expect(classifyStats(stats())).toBe('good');
    expect(classifyStats(stats({ rtt: { min: 80, p50: 80, p95: 90, last: 80 } }))).toBe('degraded');
    expect(classifyStats(stats({ rtt: { min: 150, p50: 150, p95: 160, last: 150 } }))).toBe('bad');
    expect(classifyStats(stats({ jitterMs: 15 }))).toBe('degraded');
    expect(classifyStats(stats({ jitterMs: 40 }))).toBe('bad');
    expect(classifyStats(stats({ lossDownAfterFec: 0.01 }))).toBe('degraded');
    expect(classifyStats(stats({ lossDownAfterFec: 0.05 }))).toBe('bad');
    expect(classifyStats(stats({ rtt: null }))).toBe('bad');
    expect(classifyStats(stats({ jitterMs: Number.NaN }))).toBe('bad');
  });

  it('judges by what FEC leaves, not raw loss', () => {
    expect(classifyStats(stats({ lossDown: 0.2, lossDownAfterFec: 0 }))).toBe('good');
  });

  it('follows the session state', () => {
    expect(classifyRoute({ state: 'idle' }, null)).toBe('idle');
    expect(classifyRoute({ state: 'stopped', reason: 'user' }, stats())).toBe('idle');
    expect(classifyRoute({ state: 'probing', relays: 3 }, null)).toBe('degraded');
    expect(classifyRoute({ state: 'connecting', relay: la1 }, null)).toBe('degraded');
    expect(classifyRoute(active, null)).toBe('good');
    expect(classifyRoute(active, stats({ lossDownAfterFec: 0.2 }))).toBe('bad');
    // The engine's own verdict is never upgraded by good numbers.
    expect(classifyRoute({ state: 'degraded', relay: la1, reason: 'misses' }, stats())).toBe('degraded');
    expect(classifyRoute({ state: 'failing-over', from: la1, to: ny2, reason: 'x' }, stats())).toBe('bad');
    expect(classifyRoute({ state: 'error', reason: 'boom' }, null)).toBe('bad');
  });

  it('honours custom thresholds', () => {
    const strict = { ...DEFAULT_THRESHOLDS, rttMs: { degraded: 20, bad: 30 } };
    expect(classifyRoute(active, stats(), strict)).toBe('bad');
  });
});

describe('tray tooltip', () => {
  it('reads like "Fortnite via la-1 · 32 ms · 0.2% loss"', () => {
    expect(trayTooltip(view())).toBe('Fortnite via la-1 · 32 ms · 0.2% loss');
  });

  it('describes every state', () => {
    expect(trayTooltip(view({ state: { state: 'idle' }, stats: null }))).toBe('LightSpeed · not boosting');
    expect(trayTooltip(view({ stats: null }))).toBe('Fortnite via la-1 · measuring…');
    expect(trayTooltip(view({ stats: stats({ rtt: null }) }))).toBe(
      'Fortnite via la-1 · no reply · 0.2% loss',
    );
    expect(trayTooltip(view({ state: { state: 'probing', relays: 3 }, stats: null }))).toBe(
      'Fortnite · finding the best relay (3 candidates)',
    );
    expect(trayTooltip(view({ state: { state: 'connecting', relay: ny2 }, stats: null }))).toBe(
      'Fortnite · connecting via ny-2',
    );
    expect(trayTooltip(view({ state: { state: 'failing-over', from: la1, to: ny2, reason: 'x' } }))).toBe(
      'Fortnite · switching from la-1 to ny-2',
    );
    expect(trayTooltip(view({ state: { state: 'error', reason: 'no relays' }, stats: null }))).toBe(
      'LightSpeed · error: no relays',
    );
    // After a failover the stats name the relay actually in use.
    expect(trayTooltip(view({ stats: stats({ relay: ny2 }) }))).toMatch(/^Fortnite via ny-2 /);
  });

  it('stays within the Windows tooltip limit', () => {
    const long = trayTooltip(view({ state: { state: 'error', reason: 'x'.repeat(500) }, stats: null }));
    expect(long).toHaveLength(TOOLTIP_MAX);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('tray menu', () => {
  const enabled = (v: TrayView): Record<string, boolean> =>
    Object.fromEntries(trayMenu(v).flatMap((i) => (i.type === 'item' ? [[i.action, i.enabled]] : [])));

  it('offers Boost last game, Stop, Show and Quit', () => {
    expect(trayMenu(view()).map((i) => (i.type === 'item' ? i.label : '-'))).toEqual([
      'Boost Fortnite',
      'Stop',
      '-',
      'Show LightSpeed',
      'Quit',
    ]);
  });

  it('enables Boost only when idle with a last game, and Stop only while boosting', () => {
    expect(enabled(view())).toEqual({ 'boost-last': false, stop: true, show: true, quit: true });
    expect(enabled(view({ state: { state: 'idle' }, stats: null }))).toEqual({
      'boost-last': true,
      stop: false,
      show: true,
      quit: true,
    });
    expect(enabled(view({ state: { state: 'idle' }, lastGame: null }))['boost-last']).toBe(false);
    expect(trayMenu(view({ lastGame: null }))[0]).toMatchObject({ label: 'Boost last game' });
  });

  it('puts health, tooltip and menu together', () => {
    const model = trayModel(view({ stats: stats({ lossDownAfterFec: 0.03 }) }));
    expect(model.health).toBe('degraded');
    expect(model.tooltip).toBe('Fortnite via la-1 · 32 ms · 3.0% loss');
    expect(model.menu).toHaveLength(5);
  });
});

describe('tray state', () => {
  const session = (startedAtMs: number) => ({
    gameId: 'fortnite',
    name: 'Fortnite',
    server: '10.0.0.1:7777',
    routes: [],
    relayChoice: { kind: 'auto' as const },
    startedAtMs,
  });
  const status = (state: BoostState, startedAtMs = 1): BoostStatus => ({
    state,
    session: session(startedAtMs),
  });

  it('tracks the session, its stats and the last boost', () => {
    const t = new TrayState(null);
    expect(t.view()).toEqual({ state: { state: 'idle' }, stats: null, game: null, lastGame: null });
    t.onStats(stats()); // nothing runs: ignored
    expect(t.view().stats).toBeNull();

    expect(t.onStatus(status({ state: 'connecting', relay: la1 }))).toEqual({
      target: { kind: 'game', gameId: 'fortnite', server: '10.0.0.1:7777' },
      name: 'Fortnite',
    });
    expect(t.onStatus(status(active))).toBeNull(); // same session: nothing new to save
    t.onStats(stats());
    expect(trayTooltip(t.view())).toBe('Fortnite via la-1 · 32 ms · 0.2% loss');

    // A new session forgets the old one's numbers.
    t.onStatus(status({ state: 'connecting', relay: ny2 }, 2));
    expect(t.view().stats).toBeNull();

    t.onStatus({ state: { state: 'idle' }, session: null });
    expect(t.view()).toEqual({
      state: { state: 'idle' },
      stats: null,
      game: null,
      lastGame: { id: 'fortnite', name: 'Fortnite' },
    });
  });
});

describe('tray icons', () => {
  function png(file: string): { width: number; height: number; colourType: number } {
    const buf = readFileSync(path.join(repo, 'resources', file));
    expect(buf.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
    expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colourType: buf[25] ?? -1 };
  }

  it('exist for every health level at 16 and 32 px, with @2x siblings', () => {
    for (const health of ROUTE_HEALTH_LEVELS) {
      for (const platform of ['win32', 'darwin', 'linux'] as const) {
        const file = trayIconFile(health, platform);
        const size = platform === 'linux' ? 32 : 16;
        expect(png(file)).toEqual({ width: size, height: size, colourType: 6 });
        expect(png(file.replace('.png', '@2x.png'))).toEqual({
          width: size * 2,
          height: size * 2,
          colourType: 6,
        });
      }
    }
  });

  it('include a macOS .icns whose entries are PNGs of the sizes their types name', () => {
    const buf = readFileSync(path.join(repo, 'resources/icons/icon.icns'));
    expect(buf.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(buf.readUInt32BE(4)).toBe(buf.length);
    const pixels: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      ic11: 32,
      icp6: 64,
      ic12: 64,
      ic07: 128,
      ic08: 256,
      ic13: 256,
      ic09: 512,
      ic14: 512,
    };
    const seen: string[] = [];
    for (let at = 8; at < buf.length;) {
      const type = buf.subarray(at, at + 4).toString('latin1');
      const len = buf.readUInt32BE(at + 4);
      expect(len).toBeGreaterThan(8);
      const entry = buf.subarray(at + 8, at + len);
      expect(entry.subarray(0, 8).toString('hex'), type).toBe('89504e470d0a1a0a');
      expect([entry.readUInt32BE(16), entry.readUInt32BE(20)], type).toEqual([pixels[type], pixels[type]]);
      seen.push(type);
      at += len;
    }
    expect(seen.sort()).toEqual(Object.keys(pixels).sort());
  });

  it('are exactly what the committed generator draws', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'ls-icons-'));
    try {
      const run = spawnSync(
        process.execPath,
        [path.join(repo, 'resources/icons/generate-icons.mjs'), '--out', out],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      for (const rel of [
        ...ROUTE_HEALTH_LEVELS.flatMap((h) =>
          [16, 32].flatMap((s) => [`tray/${h}-${s}.png`, `tray/${h}-${s}@2x.png`]),
        ),
        'icons/icon.png',
        'icons/icon.ico',
        'icons/icon.icns',
        'icons/png/16x16.png',
        'icons/png/256x256.png',
      ]) {
        expect(
          readFileSync(path.join(out, rel)).equals(readFileSync(path.join(repo, 'resources', rel))),
          rel,
        ).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
