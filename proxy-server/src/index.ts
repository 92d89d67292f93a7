export {
  ConfigError,
  loadConfigFile,
  resolveConfig,
  type LogLevel,
  type RelayConfig,
} from './config/config.js';
export { startRelay, type Relay, type StartRelayOptions } from './relay/start-relay.js';
export type { SessionAuthority } from './auth/session-authority.js';
export { DestinationPolicy, REFUSED_RANGES } from './security/destination-policy.js';
export { DropReason, DROP_REASON_LABELS } from './relay/relay-stats.js';
export { VERSION } from './version.js';
export * from './control/index.js';
export { freeUdpPorts, startMeshLab, type MeshLab, type MeshLabOptions } from './testing/mesh-lab.js';
// The one loopback relay fixture of every package's tests (and the demo's relays).
export { drops, metric, startTestRelay, testConfig, type RelayOverrides } from './testing/relay-fixture.js';
export { MeshDrop, MESH_DROP_LABELS } from './mesh/mesh-stats.js';
