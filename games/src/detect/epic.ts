/**
 * Epic Games Store: the launcher's LauncherInstalled.dat and Data/Manifests/*.item (Windows, macOS),
 * and the installed.json of Legendary and Heroic (which embeds Legendary) on every platform.
 */
import path from 'node:path';

import { z } from 'zod';

import type { GameEntry } from '../catalog/game-schema.js';
import type { Context } from './context.js';
import { isDirectory, listDir, parseJson, readTextFile } from './fs-util.js';
import type { InstallSource, InstalledGame } from './types.js';

const LauncherInstalledSchema = z.looseObject({
  InstallationList: z.array(z.unknown()),
});
const LauncherEntrySchema = z.looseObject({
  InstallLocation: z.string().min(1),
  AppName: z.string().optional(),
  NamespaceId: z.string().optional(),
});
const ItemSchema = z.looseObject({
  InstallLocation: z.string().min(1),
  AppName: z.string().optional(),
  CatalogNamespace: z.string().optional(),
  MainGameAppName: z.string().optional(),
  bIsIncompleteInstall: z.boolean().optional(),
});
const LegendaryEntrySchema = z.looseObject({
  app_name: z.string().optional(),
  install_path: z.string().min(1),
  is_dlc: z.boolean().optional(),
});

interface EpicRecord {
  appName: string | undefined;
  namespace: string | undefined;
  installLocation: string;
  file: string;
}

/** The catalogued game an Epic record is for; namespaces only match a base game, not its DLC. */
function matchGame(games: readonly GameEntry[], rec: EpicRecord, isBaseGame: boolean): GameEntry | undefined {
  const app = rec.appName?.toLowerCase();
  const byApp = games.find(
    (g) => g.store.epicAppName !== undefined && g.store.epicAppName.toLowerCase() === app,
  );
  if (byApp) return byApp;
  if (!isBaseGame || rec.namespace === undefined) return undefined;
  return games.find((g) => g.store.epicNamespace !== undefined && g.store.epicNamespace === rec.namespace);
}

/** Epic launcher data directories (host paths) for the target platform. */
function epicLauncherDirs(ctx: Context): string[] {
  if (ctx.platform === 'win32') {
    const pd = ctx.winDir('PROGRAMDATA');
    return pd === undefined ? [] : [path.join(pd, 'Epic')];
  }
  if (ctx.platform === 'darwin' && ctx.home !== undefined) {
    return [path.join(ctx.home, 'Library', 'Application Support', 'Epic')];
  }
  return [];
}

/** installed.json files of Legendary and Heroic for the target platform. */
function legendaryFiles(ctx: Context): { file: string; source: InstallSource }[] {
  const home = ctx.home;
  const out: { file: string; source: InstallSource }[] = [];
  const installed = (configDir: string): string => path.join(configDir, 'legendary', 'installed.json');
  const heroic = (heroicDir: string): string =>
    path.join(heroicDir, 'legendaryConfig', 'legendary', 'installed.json');
  if (ctx.platform === 'linux') {
    const config =
      ctx.envPath('XDG_CONFIG_HOME') ?? (home === undefined ? undefined : path.join(home, '.config'));
    if (config !== undefined) {
      out.push({ file: installed(config), source: 'legendary' });
      out.push({ file: heroic(path.join(config, 'heroic')), source: 'heroic' });
    }
    if (home !== undefined) {
      const flatpak = path.join(home, '.var', 'app', 'com.heroicgameslauncher.hgl', 'config');
      out.push({ file: heroic(path.join(flatpak, 'heroic')), source: 'heroic' });
    }
  } else if (ctx.platform === 'darwin' && home !== undefined) {
    out.push({ file: installed(path.join(home, '.config')), source: 'legendary' });
    out.push({ file: heroic(path.join(home, 'Library', 'Application Support', 'heroic')), source: 'heroic' });
  } else if (ctx.platform === 'win32') {
    if (home !== undefined) out.push({ file: installed(path.join(home, '.config')), source: 'legendary' });
    const appData = ctx.winDir('APPDATA');
    if (appData !== undefined) out.push({ file: heroic(path.join(appData, 'heroic')), source: 'heroic' });
  }
  return out;
}

/** Finds catalogued Epic games from the Epic launcher, Legendary and Heroic. */
export async function detectEpic(ctx: Context): Promise<InstalledGame[]> {
  const games = ctx.catalog.filter(
    (g) => g.store.epicAppName !== undefined || g.store.epicNamespace !== undefined,
  );
  if (games.length === 0) return [];
  const found: InstalledGame[] = [];
  const accept = async (rec: EpicRecord, source: InstallSource, isBaseGame: boolean): Promise<void> => {
    const game = matchGame(games, rec, isBaseGame);
    if (!game) return;
    const installPath = ctx.toHost(rec.installLocation);
    if (!(await isDirectory(installPath))) {
      ctx.skipped.push({
        source,
        path: rec.file,
        reason: `install directory ${installPath} is missing`,
        gameId: game.id,
      });
      return;
    }
    found.push({ gameId: game.id, name: game.name, installPath, source });
  };

  for (const dir of epicLauncherDirs(ctx)) {
    const dat = path.join(dir, 'UnrealEngineLauncher', 'LauncherInstalled.dat');
    const json = await readJson(ctx, dat, 'epic');
    if (json !== undefined) {
      const list = LauncherInstalledSchema.safeParse(json);
      if (!list.success) {
        ctx.skipped.push({ source: 'epic', path: dat, reason: 'no InstallationList array' });
      } else {
        for (const [i, raw] of list.data.InstallationList.entries()) {
          const entry = LauncherEntrySchema.safeParse(raw);
          if (!entry.success) {
            ctx.skipped.push({
              source: 'epic',
              path: dat,
              reason: `InstallationList[${i}] has no InstallLocation`,
            });
            continue;
          }
          const { AppName, NamespaceId, InstallLocation } = entry.data;
          await accept(
            { appName: AppName, namespace: NamespaceId, installLocation: InstallLocation, file: dat },
            'epic',
            true,
          );
        }
      }
    }

    const manifests = path.join(dir, 'EpicGamesLauncher', 'Data', 'Manifests');
    const names = (await listDir(manifests)) ?? [];
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.item')).sort()) {
      const file = path.join(manifests, name);
      const item = await readJson(ctx, file, 'epic');
      if (item === undefined) continue;
      const parsed = ItemSchema.safeParse(item);
      if (!parsed.success) {
        ctx.skipped.push({ source: 'epic', path: file, reason: 'manifest has no InstallLocation' });
        continue;
      }
      const { AppName, CatalogNamespace, MainGameAppName, InstallLocation, bIsIncompleteInstall } =
        parsed.data;
      const rec = { appName: AppName, namespace: CatalogNamespace, installLocation: InstallLocation, file };
      if (bIsIncompleteInstall === true) {
        const game = matchGame(games, rec, true);
        if (game)
          ctx.skipped.push({ source: 'epic', path: file, reason: 'install is incomplete', gameId: game.id });
        continue;
      }
      await accept(rec, 'epic', MainGameAppName === undefined || MainGameAppName === AppName);
    }
  }

  for (const { file, source } of legendaryFiles(ctx)) {
    const json = await readJson(ctx, file, source);
    if (json === undefined) continue;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      ctx.skipped.push({ source, path: file, reason: 'installed.json is not an object' });
      continue;
    }
    for (const [key, raw] of Object.entries(json)) {
      const entry = LegendaryEntrySchema.safeParse(raw);
      if (!entry.success) {
        ctx.skipped.push({ source, path: file, reason: `entry '${key}' has no install_path` });
        continue;
      }
      const rec = {
        appName: entry.data.app_name ?? key,
        namespace: undefined,
        installLocation: entry.data.install_path,
        file,
      };
      await accept(rec, source, entry.data.is_dlc !== true);
    }
  }
  return found;
}

/** Reads and parses a JSON file; missing files are silent, unreadable or malformed ones are skipped. */
async function readJson(ctx: Context, file: string, source: InstallSource): Promise<unknown> {
  const read = await readTextFile(file);
  if (!read.ok) {
    if (!read.missing) ctx.skipped.push({ source, path: file, reason: read.reason });
    return undefined;
  }
  const parsed = parseJson(read.text);
  if (!parsed.ok) {
    ctx.skipped.push({ source, path: file, reason: parsed.reason });
    return undefined;
  }
  return parsed.value;
}
