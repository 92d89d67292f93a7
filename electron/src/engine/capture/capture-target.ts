/**
 * Turns a capture target (a PID, a process name, a catalogued game) into the processes to capture now.
 * Re-run as the session goes on: games restart, and launchers start the real game process later.
 */
import type { CaptureTargetSpec } from '@lightspeed/shared';
import {
  asPlatform,
  catalog,
  findGame,
  findRunningGames,
  matchProcess,
  type ProcessInfo,
} from '@lightspeed/games';

export interface TargetProcess {
  pid: number;
  name: string;
}

/** The processes of `spec` in `processes` (the platform decides how names match). */
export function matchTarget(
  spec: CaptureTargetSpec,
  processes: readonly ProcessInfo[],
  platform: NodeJS.Platform = process.platform,
): TargetProcess[] {
  const p = asPlatform(platform) ?? 'linux';
  switch (spec.kind) {
    case 'pid': {
      const wanted = new Set(spec.pids);
      return processes.filter((proc) => wanted.has(proc.pid)).map(({ pid, name }) => ({ pid, name }));
    }
    case 'process':
      return processes
        .filter((proc) => matchProcess(proc, [spec.name], p) !== undefined)
        .map(({ pid, name }) => ({ pid, name }));
    case 'game': {
      const game = findGame(spec.gameId, catalog);
      if (game === undefined) return [];
      return findRunningGames(processes, [game], p).map((g) => ({ pid: g.pid, name: g.processName }));
    }
  }
}

/** Checks a target spec; returns the problem, or null. */
export function validateTarget(spec: CaptureTargetSpec): string | null {
  switch (spec.kind) {
    case 'pid':
      if (spec.pids.length === 0 || !spec.pids.every((n) => Number.isInteger(n) && n > 0)) {
        return 'capture.target.pids: expected one or more positive process ids';
      }
      return null;
    case 'process':
      return spec.name.trim() === '' ? 'capture.target.name: expected a process name' : null;
    case 'game':
      return findGame(spec.gameId, catalog) === undefined
        ? `capture.target.gameId: '${spec.gameId}' is not in the game catalog`
        : null;
  }
}
