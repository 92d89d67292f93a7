/** `lightspeed games`: lists the catalogued games installed and running on this machine. */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { asPlatform, detectGames, type DetectOptions, type DetectResult } from '@lightspeed/games';

import { UsageError, type Command } from '../command.js';

const help = `Usage: lightspeed games [--json] [--home DIR] [--root DIR] [--platform win32|darwin|linux]

Lists the catalogued games installed on this machine (with install path and launcher) and the
ones running now. Malformed launcher files are listed as skipped, with the reason.

Options:
  --json             print one JSON document { installed, running, skipped }
  --home DIR         look in DIR as the home directory (no other environment variable is read)
  --root DIR         resolve the target machine's absolute paths (C:\\..., /Applications) under DIR;
                     with --home DIR/home/<user> (macOS DIR/Users/<user>, Windows DIR/C/Users/<user>)
                     it defaults to DIR, so a copied machine tree works with --home alone
  --platform NAME    look for the win32, darwin or linux layout (default: this machine's);
                     running games are only listed for this machine's own platform
  -h, --help         show this help

Example:
  lightspeed games --json
  lightspeed games --platform win32 --home ./machine-copy/C/Users/player`;

/** Detection options from the command line. Throws UsageError on bad usage. */
export function parseGamesArgs(argv: string[]): { json: boolean; options: DetectOptions } {
  let values: { json?: boolean; home?: string; root?: string; platform?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        home: { type: 'string' },
        root: { type: 'string' },
        platform: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const options: DetectOptions = {};
  if (values.platform !== undefined) {
    const platform = asPlatform(values.platform);
    if (!platform)
      throw new UsageError(`--platform must be win32, darwin or linux, not '${values.platform}'`);
    options.platform = platform;
  }
  for (const key of ['home', 'root'] as const) {
    if (values[key] === '') throw new UsageError(`--${key} needs a directory`);
  }
  if (values.root !== undefined) options.root = path.resolve(values.root);
  if (values.home !== undefined) {
    const home = path.resolve(values.home);
    options.root ??= treeRootOf(home, options.platform ?? process.platform);
    const env: Record<string, string> = { HOME: home };
    if ((options.platform ?? process.platform) === 'win32') {
      env.USERPROFILE = home;
      env.LOCALAPPDATA = path.join(home, 'AppData', 'Local');
      env.APPDATA = path.join(home, 'AppData', 'Roaming');
    }
    options.env = env;
  }
  return { json: values.json === true, options };
}

/**
 * The directory a home sits in as in a whole machine tree (`<root>/home/<user>`, `<root>/Users/<user>`,
 * `<root>/C/Users/<user>`), so paths written in launcher files resolve inside the same tree. For a
 * real home (/home/alice) that root is `/`, which changes nothing, so undefined is returned.
 */
export function treeRootOf(home: string, platform: string): string | undefined {
  const parent = path.dirname(home);
  const above = path.dirname(parent);
  let root: string | undefined;
  if (platform === 'linux' && path.basename(parent) === 'home') root = above;
  else if (platform === 'darwin' && path.basename(parent) === 'Users') root = above;
  else if (
    platform === 'win32' &&
    path.basename(parent) === 'Users' &&
    /^[A-Za-z]$/.test(path.basename(above))
  ) {
    root = path.dirname(above);
  }
  return root === undefined || root === path.parse(root).root ? undefined : root;
}

/** Human-readable listing. */
export function formatGames(result: DetectResult): string {
  const lines: string[] = [];
  const width = Math.max(
    4,
    ...result.installed.map((g) => g.name.length),
    ...result.running.map((g) => g.name.length),
  );
  lines.push(`Installed (${result.installed.length}):`);
  if (result.installed.length === 0) lines.push('  none found');
  for (const g of result.installed)
    lines.push(`  ${g.name.padEnd(width)}  ${g.source.padEnd(9)}  ${g.installPath}`);
  lines.push('', `Running (${result.running.length}):`);
  if (result.running.length === 0) lines.push('  none');
  for (const g of result.running) lines.push(`  ${g.name.padEnd(width)}  pid ${g.pid}  ${g.processName}`);
  if (result.skipped.length > 0) {
    lines.push('', `Skipped (${result.skipped.length}):`);
    for (const s of result.skipped)
      lines.push(`  ${s.source.padEnd(9)}  ${s.path ? `${s.path}: ` : ''}${s.reason}`);
  }
  return lines.join('\n');
}

/** Runs the command writing to `write` (stdout by default); resolves to the exit code. */
export async function runGames(
  argv: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  const { json, options } = parseGamesArgs(argv);
  const result = await detectGames(options);
  write(`${json ? JSON.stringify(result, null, 2) : formatGames(result)}\n`);
  return 0;
}

const games: Command = {
  summary: 'List installed and running games (with install path and launcher)',
  help,
  run: (argv) => runGames(argv),
};

export default games;
