/**
 * @lightspeed/native: the capture-mode addon's typed face. Nothing here throws at import time: use
 * loadNative() to learn whether the addon is usable (and why not), then the typed entry points.
 */
export {
  loadNative,
  loadNativeFrom,
  addonCandidates,
  requireNative,
  NativeUnavailableError,
  MACOS_DETAIL,
  type NativeLoadResult,
  type NativeUnavailableReason,
} from './load.js';
export type { NativeApi, UdpTuple } from './native-api.js';
export { ipToU32, u32ToIp } from './ipv4.js';
export {
  openDivertSocket,
  type DivertSocket,
  type DivertSocketOptions,
  type DivertedDatagram,
  type DivertSocketStats,
} from './divert.js';
export {
  openFlowWatcher,
  checkCaptureFilter,
  NO_PCAP_DETAIL,
  type FlowWatcher,
  type FlowWatcherOptions,
  type FlowSample,
  type FlowWatcherStats,
} from './flow-watcher.js';
export {
  dropPrivileges,
  effectiveCapabilities,
  parseCapabilitySet,
  hasCaptureCapabilities,
  CAP_NET_ADMIN,
  CAP_NET_RAW,
  CAPTURE_CAPABILITIES,
} from './privileges.js';
