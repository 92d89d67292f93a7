/**
 * Games whose installer (Roblox) or launcher (Battle.net, whose product.db is not read) uses a
 * fixed default directory: the catalog's knownInstalls, confirmed by a file inside.
 */
import path from 'node:path';

import { expandTemplate, type Context } from './context.js';
import { exists, isDirectory, listDir } from './fs-util.js';
import type { InstalledGame } from './types.js';

/** Whether `rel` (slash-separated, `*` = any one directory name) exists under `dir`. */
export async function containsPath(dir: string, rel: string): Promise<boolean> {
  const [head, ...rest] = rel.split('/').filter((s) => s !== '');
  if (head === undefined) return exists(dir);
  if (head !== '*') return containsPath(path.join(dir, head), rest.join('/'));
  for (const name of ((await listDir(dir)) ?? []).sort()) {
    const child = path.join(dir, name);
    if ((await isDirectory(child)) && (await containsPath(child, rest.join('/')))) return true;
  }
  return false;
}

/** Finds catalogued games in their known default install directories. */
export async function detectKnownInstalls(ctx: Context): Promise<InstalledGame[]> {
  const found: InstalledGame[] = [];
  for (const game of ctx.catalog) {
    for (const known of game.knownInstalls.filter((k) => k.os === ctx.os)) {
      const dir = expandTemplate(ctx, known.path);
      if (dir === undefined || !(await isDirectory(dir))) continue;
      if (!(await containsPath(dir, known.contains))) {
        ctx.skipped.push({
          source: known.source,
          path: dir,
          reason: `no ${known.contains} inside`,
          gameId: game.id,
        });
        continue;
      }
      found.push({ gameId: game.id, name: game.name, installPath: dir, source: known.source });
    }
  }
  return found;
}
