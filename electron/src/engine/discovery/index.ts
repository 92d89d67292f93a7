export { discoverRelays, type DiscoveryConfig, type DiscoveryResult } from './discover.js';
export { resolvePool, type DnsPoolOptions, type Resolve4 } from './dns-pool.js';
export { fetchPeers, parsePeers, PEERS_MAX_BYTES } from './peer-exchange.js';
export {
  DEFAULT_DATA_PORT,
  DEFAULT_HEALTH_PORT,
  DiscoveryError,
  endpointKey,
  parseRelayAddress,
  staticRelays,
  type DiscoverySource,
  type DiscoveredRelay,
} from './relay-endpoint.js';
export {
  generateRegistryKeys,
  loadRegistry,
  parseRegistryPublicKey,
  readRegistryText,
  REGISTRY_FORMAT,
  RegistryError,
  signRegistry,
  verifyRegistry,
  type RegistryErrorCode,
  type VerifiedRegistry,
} from './signed-registry.js';
export { cliRelays, type CliRelayOptions } from './cli-relays.js';
