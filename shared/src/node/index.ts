/** Node-only test and demo tools (`@lightspeed/shared/node`): never imported by the renderer. */
export { Prng, deriveSeed } from './prng.js';
export {
  burstModel,
  gilbertElliottLoss,
  gilbertElliottLossModel,
  iidLoss,
  type GilbertElliott,
  type LossModel,
} from './loss-model.js';
export {
  LossyLink,
  type DirectionStats,
  type HostPort,
  type Impairments,
  type LossyLinkOptions,
  type LossyLinkStats,
} from './lossy-link.js';
export { EchoServer } from './echo-server.js';
export {
  GAME_PAYLOAD_MIN,
  GameTrafficClient,
  gameSequence,
  type GameTrafficOptions,
  type GameTrafficStats,
} from './game-traffic.js';
export { DropTracker } from './drop-tracker.js';
export { numberArg, parseCliArgs, type ArgOptions } from './cli-args.js';
export { NetnsLab, canUseNetns } from './netns.js';
export { simulateFec, type SimDirection, type SimLoss, type SimOptions, type SimResult } from './fec-sim.js';
export {
  idealScheduleDelays,
  oracleDelays,
  type IdealScheduleOptions,
  type OracleDatagram,
} from './fec-oracle.js';
export { delayLowerBoundMs, repairBudget, waitAtLeast, type DelayBoundScenario } from './fec-delay-bound.js';
