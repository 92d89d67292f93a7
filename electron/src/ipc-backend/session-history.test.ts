import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { SessionSummary } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { loadSessions, saveSessions } from './session-history.js';

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
});
