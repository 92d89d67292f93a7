import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEFAULT_SETTINGS } from '@lightspeed/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { desktopStateSchema, SETTINGS_FILE_NAME } from '../main/desktop-state.js';
import { SettingsStore, writeFileAtomic } from './settings-store.js';

let dir: string;
let file: string;
let warnings: string[];
const log = { warn: (m: string) => warnings.push(m) };

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ls-settings-'));
  file = path.join(dir, SETTINGS_FILE_NAME);
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = (): SettingsStore<typeof desktopStateSchema> =>
  new SettingsStore(file, desktopStateSchema, log);

describe('SettingsStore', () => {
  it('starts from the defaults when there is no file, silently', () => {
    const s = store();
    expect(s.load()).toEqual({ settings: DEFAULT_SETTINGS, lastBoost: null });
    expect(s.loadOutcome).toEqual({ source: 'defaults', reason: null });
    expect(warnings).toEqual([]);
  });

  it('round-trips through the file', async () => {
    const s = store();
    s.load();
    await s.update({ settings: { ...DEFAULT_SETTINGS, fecLevel: 'strong', startAtLogin: true } });
    const again = store();
    expect(again.load().settings).toMatchObject({ fecLevel: 'strong', startAtLogin: true });
    expect(again.loadOutcome).toEqual({ source: 'file' });
  });

  it('falls back to defaults on a corrupt file, logs why and keeps the bad file', () => {
    writeFileSync(file, '{"settings": {"mode": "redir');
    const s = store();
    expect(s.load()).toEqual({ settings: DEFAULT_SETTINGS, lastBoost: null });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('is not valid JSON');
    expect(warnings[0]).toContain(`${file}.corrupt`);
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toBe('{"settings": {"mode": "redir');
    expect(existsSync(file)).toBe(false);
    expect(s.loadOutcome.source).toBe('defaults');
  });

  it('treats a file of the wrong shape as corrupt', () => {
    writeFileSync(file, '[1, 2, 3]');
    expect(store().load().settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings[0]).toMatch(/does not match the settings schema/);
  });

  it('keeps valid keys and defaults the invalid ones, dropping unknown keys', () => {
    writeFileSync(
      file,
      JSON.stringify({
        settings: { fecLevel: 'light', keepaliveIntervalMs: -5, fromTheFuture: 1 },
        lastBoost: 'junk',
      }),
    );
    const loaded = store().load();
    expect(loaded.settings).toEqual({ ...DEFAULT_SETTINGS, fecLevel: 'light' });
    expect(loaded.lastBoost).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('rejects a value its schema refuses and changes nothing', async () => {
    const strict = new SettingsStore(file, z.object({ port: z.number().int().min(1).default(4500) }), log);
    expect(strict.load()).toEqual({ port: 4500 });
    await strict.set({ port: 4600 });
    const before = readFileSync(file, 'utf8');
    await expect(strict.set({ port: 0 })).rejects.toThrow(/invalid settings: .*port/s);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(strict.get()).toEqual({ port: 4600 });
  });

  it('applies concurrent writes in call order, leaving no temp files and a complete file at every read', async () => {
    const s = store();
    s.load();
    const levels = ['off', 'light', 'balanced', 'strong'] as const;
    const writes: Promise<unknown>[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      writes.push(
        s.update({
          settings: { ...DEFAULT_SETTINGS, keepaliveIntervalMs: 100 + i, fecLevel: levels[i % 4] ?? 'off' },
        }),
      );
      if (existsSync(file)) seen.add(readFileSync(file, 'utf8'));
      await new Promise((r) => setImmediate(r));
      if (existsSync(file)) seen.add(readFileSync(file, 'utf8'));
    }
    await Promise.all(writes);
    // Every version a reader saw was a whole, valid document.
    for (const text of seen) expect(desktopStateSchema.safeParse(JSON.parse(text)).success).toBe(true);
    const final = JSON.parse(readFileSync(file, 'utf8')) as { settings: { keepaliveIntervalMs: number } };
    expect(final.settings.keepaliveIntervalMs).toBe(139);
    expect(readdirSync(dir)).toEqual([SETTINGS_FILE_NAME]);
  });

  it('reports a failed write, removes its temp file and keeps working', async () => {
    const blocked = path.join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    const s = new SettingsStore(path.join(blocked, 'settings.json'), desktopStateSchema, log);
    s.load();
    await expect(s.update({ lastBoost: null })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['not-a-dir']);
    await writeFileAtomic(file, '{}');
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });
});
