/**
 * The last sessions' summaries on disk (`sessions.json` beside the settings file): read leniently (a
 * missing or corrupt file is an empty history), written atomically (temp file + rename).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

import type { SessionSummary } from '@lightspeed/shared';

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

export async function saveSessions(file: string, sessions: SessionSummary[]): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ format: 1, sessions }, null, 1));
  await rename(tmp, file);
}
