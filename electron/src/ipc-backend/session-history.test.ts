import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { SessionSummary } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { adoptSessions, appendSession, loadSessions, saveSessions } from './session-history.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const summary: SessionSummary = {
  startedAt: '2026-11-30T09:00:00.000Z',
  durationS: 61,
  relays: ['a', 'b'],
  pingP50Ms: 12,
  pingP95Ms: 20,
  lossBeforeFec: 0.05,
  lossAfterFec: 0.01,
  packetsRecovered: 8,
  failovers: 1,
  msSavedVsDirect: null,
};

describe('session history file', () => {
  it('round-trips; a missing or corrupt file is an empty history; bad entries are dropped', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-sessions-'));
    dirs.push(dir);
    const file = path.join(dir, 'sessions.json');
    expect(await loadSessions(file)).toEqual([]);
    await saveSessions(file, [summary]);
    expect(await loadSessions(file)).toEqual([summary]);
    await writeFile(file, '{ not json');
    expect(await loadSessions(file)).toEqual([]);
    await writeFile(file, JSON.stringify({ sessions: [summary, { startedAt: 3 }, null] }));
    expect(await loadSessions(file)).toEqual([summary]);
  });

  it('merges a save with the file (a CLI session kept while the dashboard runs), newest first, 50 at most', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-sessions-'));
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'sessions.json');
    const at = (i: number): SessionSummary => ({
      ...summary,
      startedAt: new Date(Date.UTC(2026, 10, 30, 9, i)).toISOString(),
    });
    await appendSession(file, at(1)); // the folder is made on the first save
    await appendSession(file, at(3)); // the CLI
    await saveSessions(file, [at(2), at(1)]); // the dashboard's list, which never saw at(3)
    expect((await loadSessions(file)).map((s) => s.startedAt)).toEqual(
      [at(3), at(2), at(1)].map((s) => s.startedAt),
    );
    await saveSessions(
      file,
      Array.from({ length: 60 }, (_, i) => at(10 + i)),
    );
    const kept = await loadSessions(file);
    expect(kept).toHaveLength(50);
    expect(kept[0]!.startedAt).toBe(at(69).startedAt);
  });
});

describe("adopting the desktop app's old history", () => {
  it('merges it into the shared file and removes it; nothing to do without one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-sessions-'));
    dirs.push(dir);
    const old = path.join(dir, 'userData', 'sessions.json');
    const shared = path.join(dir, 'lightspeed', 'sessions.json');
    const later = { ...summary, startedAt: '2026-11-30T10:00:00.000Z' };
    await appendSession(old, summary);
    await appendSession(shared, later); // a CLI session already there
    await adoptSessions(old, shared);
    expect((await loadSessions(shared)).map((s) => s.startedAt)).toEqual([
      later.startedAt,
      summary.startedAt,
    ]);
    await expect(access(old)).rejects.toThrow();
    await adoptSessions(old, shared);
    expect(await loadSessions(shared)).toHaveLength(2);
    await adoptSessions(shared, shared);
    expect(await loadSessions(shared)).toHaveLength(2);
  });
});
