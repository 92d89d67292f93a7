/**
 * Battle.net: the agent's product.db (protobuf) lists every install as
 *   Database.product_install (1) → { uid (1), product_code (2), settings (3) → { install_path (1) } }.
 * Field numbers as in the community schema that bnetlauncher and GameFinder read real databases with
 * (ProductDb.cs); every other field (cached state, operations, active processes, …) is skipped.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Context } from './context.js';
import { isDirectory } from './fs-util.js';
import { messageFields, readMessage, stringField } from './protobuf.js';
import type { InstalledGame } from './types.js';

/** product.db locations for the target platform (host paths). */
function productDbFiles(ctx: Context): string[] {
  if (ctx.platform === 'win32') {
    const pd = ctx.winDir('PROGRAMDATA');
    return pd === undefined ? [] : [path.join(pd, 'Battle.net', 'Agent', 'product.db')];
  }
  if (ctx.platform === 'darwin') return [ctx.toHost('/Users/Shared/Battle.net/Agent/product.db')];
  return [];
}

/** Lists (product code, install path) pairs from product.db bytes; undefined when malformed. */
export function readProductDb(bytes: Uint8Array): { productCode: string; installPath: string }[] | undefined {
  const db = readMessage(bytes);
  if (!db) return undefined;
  const out: { productCode: string; installPath: string }[] = [];
  for (const install of messageFields(db, 1)) {
    const productCode = stringField(install, 2);
    const settings = messageFields(install, 3)[0];
    const installPath = settings && stringField(settings, 1);
    if (productCode && installPath) out.push({ productCode, installPath });
  }
  return out;
}

/** Finds catalogued Battle.net games from the agent's product database. */
export async function detectBattleNet(ctx: Context): Promise<InstalledGame[]> {
  const games = ctx.catalog.filter((g) => g.store.battleNetProductCode !== undefined);
  const found: InstalledGame[] = [];
  if (games.length === 0) return found;
  for (const file of productDbFiles(ctx)) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        ctx.skipped.push({ source: 'battlenet', path: file, reason: `cannot read: ${code ?? String(err)}` });
      }
      continue;
    }
    const installs = readProductDb(bytes);
    if (!installs) {
      ctx.skipped.push({
        source: 'battlenet',
        path: file,
        reason: 'malformed product.db (not a protobuf message)',
      });
      continue;
    }
    for (const { productCode, installPath: raw } of installs) {
      const game = games.find(
        (g) => g.store.battleNetProductCode!.toLowerCase() === productCode.toLowerCase(),
      );
      if (!game) continue;
      const installPath = ctx.toHost(raw);
      if (!(await isDirectory(installPath))) {
        ctx.skipped.push({
          source: 'battlenet',
          path: file,
          reason: `install directory ${installPath} is missing`,
          gameId: game.id,
        });
        continue;
      }
      found.push({ gameId: game.id, name: game.name, installPath, source: 'battlenet' });
    }
  }
  return found;
}
