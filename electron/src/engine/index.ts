/** The engine's public entry (`@lightspeed/electron/engine`): pure Node, never imports `electron`. */
export { BoostEngine } from './boost-engine.js';
export { validateBoostRequest } from './boost-request.js';
export { type EngineOptions } from './engine-options.js';
export {
  NearestSelector,
  scoreSample,
  defaultSelectorContext,
  type RouteSelector,
  type RankedRelay,
  type SelectorContext,
  type NearestSelectorOptions,
} from './route-selector.js';
export { probeRelays, type ProbeOptions, type ProbeSample } from './relay-prober.js';
export { MlSelector, type MlSelectorOptions } from './selector/ml-selector.js';
export { SelectorStore } from './selector/selector-store.js';
export { EXPLORE_MODES, type ExploreMode } from './route-watch.js';
export { DirectWatch, type DirectWatchOptions } from './direct-watch.js';
export { type SelectorFeedback } from './route-selector.js';
export type {
  BoostRequest,
  BoostState,
  BoostStats,
  EngineEvent,
  EngineRoute,
  RelayEndpoint,
  RelayProbe,
  RelayRef,
  RouteSpec,
} from '@lightspeed/shared';
export * from './control/index.js';
export * from './discovery/index.js';
