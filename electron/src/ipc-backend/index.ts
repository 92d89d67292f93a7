/** The main side of the IPC contract, shared by the dashboard bridge and the Electron main process. */
export { LightspeedBackend, type BackendOptions } from './backend.js';
export { buildGamesView, catalogView, manualGameId, type LibraryInput } from './game-library.js';
export { RelayBook } from './relay-book.js';
export { fetchRegistry } from './relay-registry.js';
export type { CatalogGame, DetectionResult, EngineFactory, EngineLike, GamesProvider } from './ports.js';
export { createGamesProvider } from './games-provider.js';
export { SettingsStore, writeFileAtomic, type LoadOutcome, type SettingsLogger } from './settings-store.js';
export { dashboardSettingsPath, userConfigDir } from './config-dir.js';
export { createAppBackend, type AppBackendOptions } from './app-backend.js';
