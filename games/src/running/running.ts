/** Flags catalogued games whose process is in the process list. */
import type { GameEntry } from '../catalog/game-schema.js';
import type { Platform, ProcessInfo, RunningGame } from '../detect/types.js';

/** Linux truncates /proc/<pid>/comm to 15 bytes. */
const LINUX_COMM_LEN = 15;

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** Process names to look for on a platform; Linux also runs Windows builds under Proton/Wine. */
export function processNamesFor(game: GameEntry, platform: Platform): string[] {
  if (platform === 'win32') return game.processNames.windows;
  if (platform === 'darwin') return game.processNames.macos;
  return [...game.processNames.linux, ...game.processNames.windows];
}

/** The catalogued name a process matches, if any. */
export function matchProcess(
  proc: ProcessInfo,
  names: readonly string[],
  platform: Platform,
): string | undefined {
  const argv0 = proc.cmdline?.[0] !== undefined ? basename(proc.cmdline[0]) : undefined;
  for (const name of names) {
    // Windows and macOS names are case-insensitive; so are .exe names run by Wine/Proton on Linux.
    const fold = platform !== 'linux' || name.toLowerCase().endsWith('.exe');
    const norm = (s: string): string => (fold ? s.toLowerCase() : s);
    const want = norm(name);
    if (norm(proc.name) === want) return name;
    if (argv0 !== undefined && norm(argv0) === want) return name;
    // Linux truncates comm; a truncated comm alone is trusted only when there is no argv to check.
    if (platform === 'linux' && argv0 === undefined && proc.name.length === LINUX_COMM_LEN) {
      if (want.startsWith(norm(proc.name))) return name;
    }
  }
  return undefined;
}

/** Matches a process list against the catalog. */
export function findRunningGames(
  processes: readonly ProcessInfo[],
  games: readonly GameEntry[],
  platform: Platform,
): RunningGame[] {
  const out: RunningGame[] = [];
  for (const game of games) {
    const names = processNamesFor(game, platform);
    if (names.length === 0) continue;
    for (const proc of processes) {
      const processName = matchProcess(proc, names, platform);
      if (processName !== undefined)
        out.push({ gameId: game.id, name: game.name, pid: proc.pid, processName });
    }
  }
  return out.sort((a, b) => a.gameId.localeCompare(b.gameId) || a.pid - b.pid);
}
