/**
 * The shape of one catalog entry. Entries are plain JSON-compatible data so they can cross the
 * Electron IPC boundary unchanged and be rendered by the Library view.
 */
import { z } from 'zod';

/** Operating systems as the catalog names them (process names and install paths differ per OS). */
export const OsSchema = z.enum(['windows', 'macos', 'linux']);
export type Os = z.infer<typeof OsSchema>;

const port = z.number().int().min(1).max(65535);

/** An inclusive UDP port range. */
export const PortRangeSchema = z
  .object({ from: port, to: port })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'port range must have from <= to' });
export type PortRange = z.infer<typeof PortRangeSchema>;

export const AntiCheatSchema = z.enum([
  'easy-anti-cheat',
  'battleye',
  'vac',
  'vanguard',
  'hyperion',
  'proprietary',
]);
export type AntiCheat = z.infer<typeof AntiCheatSchema>;

/** Store identifiers; each launcher's detector matches on these. */
export const StoreIdsSchema = z
  .object({
    /** Steam app id (appmanifest_<id>.acf). */
    steamAppId: z.number().int().positive().optional(),
    /** Epic Games Store app name (AppName in manifests, key of Legendary's installed.json). */
    epicAppName: z.string().min(1).optional(),
    /** Epic catalog namespace (NamespaceId / CatalogNamespace). */
    epicNamespace: z.string().min(1).optional(),
    /** Riot product id (Metadata/<product>.<patchline>/...product_settings.yaml). */
    riotProductId: z.string().min(1).optional(),
    /** Battle.net product code. */
    battleNetProductCode: z.string().min(1).optional(),
  })
  .strict();
export type StoreIds = z.infer<typeof StoreIdsSchema>;

/**
 * A default install location a game's own installer (or a launcher we cannot read) uses.
 * `path` may start with `%VAR%` (Windows environment variable) or `~/`; `contains` is a relative
 * path that must exist under it (`*` matches any single directory name), so an empty leftover
 * directory is not reported as an install.
 */
export const KnownInstallSchema = z
  .object({
    os: OsSchema,
    path: z.string().min(1),
    contains: z.string().min(1),
    source: z.enum(['battlenet', 'roblox']),
  })
  .strict();
export type KnownInstall = z.infer<typeof KnownInstallSchema>;

const processName = z.string().min(1).max(260);

export const GameEntrySchema = z
  .object({
    /** Stable kebab-case id used by the UI, settings and IPC. */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'id must be kebab-case'),
    /** Game id on the wire (GameId in @lightspeed/shared), or null when relays have none for it. */
    wireGameId: z.number().int().min(1).max(255).nullable(),
    name: z.string().min(1),
    processNames: z
      .object({
        windows: z.array(processName),
        macos: z.array(processName),
        linux: z.array(processName),
      })
      .strict(),
    /** UDP server port ranges the game uses; empty when not publicly documented. */
    udpPorts: z.array(PortRangeSchema),
    antiCheat: z.array(AntiCheatSchema),
    /** Rough packets per second in each direction during a match (planning estimate for FEC). */
    typicalPps: z.number().int().positive().max(1000),
    /** Rough UDP payload size range in bytes during a match. */
    packetSize: z
      .object({ min: z.number().int().min(1), max: z.number().int().max(65507) })
      .strict()
      .refine((s) => s.min <= s.max, { message: 'packetSize.min must be <= packetSize.max' }),
    store: StoreIdsSchema,
    /** Whether the player can type a server address (so redirect mode to 127.0.0.1 works). */
    redirect: z
      .object({
        possible: z.boolean(),
        /** Console command to join a server, `{address}` replaced by host:port. */
        command: z.string().includes('{address}').optional(),
      })
      .strict()
      .refine((r) => r.possible || r.command === undefined, {
        message: 'redirect.command only makes sense when redirect.possible',
      }),
    knownInstalls: z.array(KnownInstallSchema),
    /** Icon path relative to the app's resources/ directory. */
    icon: z.string().regex(/^games\/[a-z0-9-]+\.svg$/),
  })
  .strict();

/** One game in the catalog. */
export type GameEntry = z.infer<typeof GameEntrySchema>;

/** The whole catalog: unique ids, unique wire ids. */
export const CatalogSchema = z.array(GameEntrySchema).superRefine((games, ctx) => {
  const ids = new Set<string>();
  const wire = new Set<number>();
  games.forEach((g, i) => {
    if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id '${g.id}'` });
    ids.add(g.id);
    if (g.icon !== `games/${g.id}.svg`) {
      ctx.addIssue({ code: 'custom', path: [i, 'icon'], message: `icon must be games/${g.id}.svg` });
    }
    if (g.wireGameId !== null) {
      if (wire.has(g.wireGameId)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'wireGameId'],
          message: `duplicate wire id ${g.wireGameId}`,
        });
      }
      wire.add(g.wireGameId);
    }
  });
});
