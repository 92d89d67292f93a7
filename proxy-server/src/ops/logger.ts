/**
 * The relay's logger: pino JSON lines on stdout with the level as a string (`"level":"warn"`). When
 * stdout is systemd's journal stream (JOURNAL_STREAM names it), each line also starts with the
 * sd-daemon priority prefix (`<4>` for warn), so `journalctl -u lightspeed-relay -p warning` works.
 */
import { fstatSync } from 'node:fs';

import { pino, type DestinationStream, type Logger } from 'pino';

/** syslog priority of each pino level (journalctl -p: 2 crit, 3 err, 4 warning, 6 info, 7 debug). */
export const SYSLOG_PRIORITY: Record<string, number> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/** True when fd 1 is the journal stream systemd announced in JOURNAL_STREAM ("device:inode"). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const announced = env.JOURNAL_STREAM;
  if (announced === undefined || announced === '') return false;
  try {
    const st = fstatSync(1);
    return announced === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

/** Prefixes every line with `<priority>`, read from the line's `"level":"..."` field. */
export function journalStream(write: (line: string) => void): DestinationStream {
  return {
    write(line: string): void {
      const m = /^\{"level":"(\w+)"/.exec(line);
      write(`<${SYSLOG_PRIORITY[m?.[1] ?? ''] ?? 6}>${line}`);
    },
  };
}

export function createRelayLogger(level: string, nodeId: string, journal = stdoutIsJournal()): Logger {
  const options = {
    level,
    base: { node_id: nodeId },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!journal) return pino(options);
  return pino(
    options,
    journalStream((line) => process.stdout.write(line)),
  );
}
