/**
 * @lightspeed/games: the game catalog (plain data, safe to send over IPC) and detection of the
 * installed and running catalogued games on Windows, macOS and Linux.
 */
export * from './catalog/index.js';
export { detectGames, detectInstalledGames, detectRunningGames } from './detect-games.js';
export type {
  DetectOptions,
  DetectResult,
  InstallSource,
  InstalledGame,
  Platform,
  ProcessInfo,
  ProcessListProvider,
  RegistryReader,
  RunningGame,
  SkippedItem,
} from './detect/types.js';
export { asPlatform } from './detect/context.js';
export {
  parseVdf,
  vdfGet,
  vdfObject,
  vdfString,
  type VdfError,
  type VdfObject,
  type VdfResult,
  type VdfValue,
} from './vdf/vdf.js';
export {
  defaultProcessListProvider,
  parsePsOutput,
  parseTasklistCsv,
  readProcPids,
  readProcProcesses,
} from './running/process-list.js';
export { findRunningGames, matchProcess } from './running/running.js';
