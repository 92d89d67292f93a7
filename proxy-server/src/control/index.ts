export {
  certificateSha256,
  generateSelfSigned,
  loadOrCreateIdentity,
  type ControlIdentity,
} from './certificate.js';
export {
  ControlServer,
  ControlStreamError,
  type ControlLog,
  type ControlServerOptions,
  type ControlServerStats,
  type ServerLoad,
} from './control-server.js';
export {
  BAD_CERTIFICATE,
  CONTROL_ALPN,
  CONTROL_SERVER_NAME,
  controlClientOptions,
  derSha256,
  normalizePin,
  serverCrypto,
  silentQuicLogger,
} from './quic-support.js';
export { connectRawControl, type RawControlClient } from './raw-control-client.js';
export { RegisterRateLimiter, type RegisterRateLimit } from './register-rate-limiter.js';
export {
  normalizeIp,
  TokenAuthority,
  type Registration,
  type RevokeCause,
  type TokenAuthorityOptions,
  type TokenAuthorityStats,
} from './token-authority.js';
export { registerControlMetrics } from './control-metrics.js';
export { peersBody, relayAuthority, startRelayControl, type RelayControl } from './relay-control.js';
