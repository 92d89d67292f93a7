/** Public detection entry points: installed games, running games, or both. */
import { detectBattleNet } from './detect/battlenet.js';
import { makeContext, type Context } from './detect/context.js';
import { detectEpic } from './detect/epic.js';
import { canonical } from './detect/fs-util.js';
import { detectKnownInstalls } from './detect/known-installs.js';
import { detectRiot } from './detect/riot.js';
import { detectSteam } from './detect/steam.js';
import type {
  DetectOptions,
  DetectResult,
  InstallSource,
  InstalledGame,
  RunningGame,
  SkippedItem,
} from './detect/types.js';
import { defaultProcessListProvider } from './running/process-list.js';
import { findRunningGames } from './running/running.js';

const detectors: { source: InstallSource; run: (ctx: Context) => Promise<InstalledGame[]> }[] = [
  { source: 'steam', run: detectSteam },
  { source: 'epic', run: detectEpic },
  { source: 'riot', run: detectRiot },
  { source: 'battlenet', run: detectBattleNet },
  { source: 'roblox', run: detectKnownInstalls },
];

/** Finds the catalogued games installed on the machine (or fixture tree). Never throws. */
export async function detectInstalledGames(
  options: DetectOptions = {},
): Promise<{ installed: InstalledGame[]; skipped: SkippedItem[] }> {
  const ctx = makeContext(options);
  const all: InstalledGame[] = [];
  // One launcher at a time keeps the skipped list in a stable order and the disk load low.
  for (const detector of detectors) {
    try {
      all.push(...(await detector.run(ctx)));
    } catch (err) {
      // Detectors turn bad files into skips themselves; this is the net for the unforeseen.
      ctx.skipped.push({ source: detector.source, path: '', reason: `detection failed: ${errorText(err)}` });
    }
  }
  const seen = new Set<string>();
  const installed: InstalledGame[] = [];
  for (const game of all) {
    const key = `${game.gameId}\0${game.source}\0${await canonical(game.installPath)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    installed.push(game);
  }
  installed.sort((a, b) => a.name.localeCompare(b.name) || a.source.localeCompare(b.source));
  return { installed, skipped: ctx.skipped };
}

/** Flags the catalogued games whose process is running. Never throws. */
export async function detectRunningGames(
  options: DetectOptions = {},
): Promise<{ running: RunningGame[]; skipped: SkippedItem[] }> {
  const ctx = makeContext(options);
  const provider = options.listProcesses ?? defaultProcessListProvider(ctx.platform);
  if (!provider) {
    const reason = `no process list for ${ctx.platform} on a ${process.platform} host`;
    return { running: [], skipped: [{ source: 'processes', path: '', reason }] };
  }
  try {
    return { running: findRunningGames(await provider(), ctx.catalog, ctx.platform), skipped: [] };
  } catch (err) {
    return {
      running: [],
      skipped: [{ source: 'processes', path: '', reason: `process list failed: ${errorText(err)}` }],
    };
  }
}

/** Installed and running games in one call (what the Library view and `lightspeed games` show). */
export async function detectGames(options: DetectOptions = {}): Promise<DetectResult> {
  const [installed, running] = await Promise.all([
    detectInstalledGames(options),
    detectRunningGames(options),
  ]);
  return {
    installed: installed.installed,
    running: running.running,
    skipped: [...installed.skipped, ...running.skipped],
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
