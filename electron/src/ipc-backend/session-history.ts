/**
 * The last sessions' summaries on disk (`sessions.json` beside the settings file: one history,
 * `<config dir>/lightspeed/sessions.json`, for the desktop app, the dashboard and the CLI's `boost` and
 * `capture`; a dashboard run with `--settings FILE` keeps its own beside FILE): read leniently (a
 * missing or corrupt file is an empty history), written atomically (temp file + rename). A save merges
 * with what the file holds, so a CLI session kept while the dashboard runs is not written over.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { SessionSummary } from '@lightspeed/shared';

/** Summaries kept, newest first. */
export const SESSIONS_KEPT = 50;

export async function loadSessions(file: string): Promise<SessionSummary[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { sessions?: unknown };
    if (!Array.isArray(parsed.sessions)) return [];
    return parsed.sessions.filter(
      (s: Partial<SessionSummary> | null): s is SessionSummary =>
        typeof s === 'object' &&
        s !== null &&
        typeof s.startedAt === 'string' &&
        typeof s.durationS === 'number' &&
        Array.isArray(s.relays),
    );
  } catch {
    return [];
  }
}

/** Writes `sessions` merged with the file's (one entry per session, newest first, the last 50). */
export async function saveSessions(file: string, sessions: SessionSummary[]): Promise<void> {
  const key = (s: SessionSummary): string => `${s.startedAt}|${s.relays.join(',')}`;
  const merged = new Map<string, SessionSummary>();
  for (const s of [...sessions, ...(await loadSessions(file))])
    if (!merged.has(key(s))) merged.set(key(s), s);
  const list = [...merged.values()]
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
    .slice(0, SESSIONS_KEPT);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ format: 1, sessions: list }, null, 1));
  await rename(tmp, file);
}

/** Adds one finished session to the file. */
export async function appendSession(file: string, summary: SessionSummary): Promise<void> {
  await saveSessions(file, [summary]);
}

/**
 * Moves a history kept elsewhere before (the desktop app's own `<userData>/sessions.json`) into `file`:
 * merged, then the old file removed. Nothing to do when there is no old file.
 */
export async function adoptSessions(from: string, file: string): Promise<void> {
  if (path.resolve(from) === path.resolve(file)) return;
  const old = await loadSessions(from);
  if (old.length > 0) await saveSessions(file, old);
  await rm(from, { force: true });
}
