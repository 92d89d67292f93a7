/**
 * Browser-safe entry (`@lightspeed/games/catalog`): the catalog and its schema, no Node built-ins,
 * for code such as the renderer that may not import the detectors.
 */
export { catalog, findGame, findGameByWireId, validateCatalog } from './catalog.js';
export {
  AntiCheatSchema,
  CatalogSchema,
  GameEntrySchema,
  KnownInstallSchema,
  OsSchema,
  PortRangeSchema,
  StoreIdsSchema,
  type AntiCheat,
  type GameEntry,
  type KnownInstall,
  type Os,
  type PortRange,
  type StoreIds,
} from './game-schema.js';
