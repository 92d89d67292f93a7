/**
 * Riot Games: Metadata/<product>.<patchline>/<product>.<patchline>.product_settings.yaml
 * (product_install_full_path) under the Riot data directory, plus RiotClientInstalls.json, which
 * proves the Riot Client is installed and is reported when malformed.
 */
import path from 'node:path';

import type { Context } from './context.js';
import { isDirectory, listDir, parseJson, readTextFile } from './fs-util.js';
import type { InstalledGame } from './types.js';

/** Riot data directories for the target platform (host paths). */
export function riotRoots(ctx: Context): string[] {
  if (ctx.options.riotRoots) return ctx.options.riotRoots;
  if (ctx.platform === 'win32') {
    const pd = ctx.winDir('PROGRAMDATA');
    return pd === undefined ? [] : [path.join(pd, 'Riot Games')];
  }
  if (ctx.platform === 'darwin') return [ctx.toHost('/Users/Shared/Riot Games')];
  return [];
}

/**
 * Reads top-level `key: value` scalars of a YAML document. Riot's product settings are flat
 * key/value files; nested blocks are ignored rather than parsed.
 */
export function readYamlScalars(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw === '' || /^\s/.test(raw) || raw.startsWith('#') || raw.startsWith('-')) continue;
    const m = /^([A-Za-z0-9_.-]+)\s*:\s*(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[2]!.trim();
    if (value.startsWith('"')) {
      const end = value.lastIndexOf('"');
      if (end <= 0) continue; // unterminated quote: not a value we can trust
      value = value.slice(1, end).replace(/\\(["\\])/g, '$1');
    } else if (value.startsWith("'")) {
      const end = value.lastIndexOf("'");
      if (end <= 0) continue;
      value = value.slice(1, end).replace(/''/g, "'");
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out.set(m[1]!, value);
  }
  return out;
}

/** Finds catalogued Riot games from the Riot Client's product settings. */
export async function detectRiot(ctx: Context): Promise<InstalledGame[]> {
  const games = ctx.catalog.filter((g) => g.store.riotProductId !== undefined);
  const found: InstalledGame[] = [];
  if (games.length === 0) return found;
  for (const root of riotRoots(ctx)) {
    const installs = path.join(root, 'RiotClientInstalls.json');
    const read = await readTextFile(installs);
    if (read.ok) {
      const parsed = parseJson(read.text);
      if (!parsed.ok) ctx.skipped.push({ source: 'riot', path: installs, reason: parsed.reason });
      else if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
        ctx.skipped.push({
          source: 'riot',
          path: installs,
          reason: 'RiotClientInstalls.json is not an object',
        });
      }
    } else if (!read.missing) {
      ctx.skipped.push({ source: 'riot', path: installs, reason: read.reason });
    }

    const metadata = path.join(root, 'Metadata');
    const entries = ((await listDir(metadata)) ?? []).sort();
    for (const game of games) {
      const product = game.store.riotProductId!;
      // "valorant.live", "valorant.pbe", ...: every patchline the player has installed.
      for (const entry of entries.filter((e) => e === product || e.startsWith(`${product}.`))) {
        const file = path.join(metadata, entry, `${entry}.product_settings.yaml`);
        const settings = await readTextFile(file);
        if (!settings.ok) {
          ctx.skipped.push({ source: 'riot', path: file, reason: settings.reason, gameId: game.id });
          continue;
        }
        const installDir = readYamlScalars(settings.text).get('product_install_full_path');
        if (!installDir) {
          ctx.skipped.push({
            source: 'riot',
            path: file,
            reason: 'product settings have no product_install_full_path',
            gameId: game.id,
          });
          continue;
        }
        const installPath = ctx.toHost(installDir);
        if (!(await isDirectory(installPath))) {
          ctx.skipped.push({
            source: 'riot',
            path: file,
            reason: `install directory ${installPath} is missing`,
            gameId: game.id,
          });
          continue;
        }
        found.push({ gameId: game.id, name: game.name, installPath, source: 'riot' });
      }
    }
  }
  return found;
}
