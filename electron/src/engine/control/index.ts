export {
  CONTROL_SERVER_NAME,
  ControlClient,
  ControlError,
  DEFAULT_CONTROL_PORT,
  disconnectReasonName,
  type ControlClientOptions,
  type ControlErrorKind,
  type RegisterResult,
  type ServerInfo,
} from './control-client.js';
export { ControlSession, type ControlOutcome, type ControlSessionOptions } from './control-session.js';
export {
  openBoostControl,
  parseControlAddress,
  type BoostControl,
  type BoostControlOptions,
} from './boost-control.js';
