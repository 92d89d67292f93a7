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
// Windows (WinDivert); the pure parts run and are tested on every OS.
export {
  openWinDivert,
  type OpenWinDivert,
  type WinDivertOptions,
  type WinDivertHandle,
} from './windows/windivert.js';
export {
  parseWinDivertAddress,
  buildWinDivertAddress,
  WINDIVERT_ADDRESS_SIZE,
  WinDivertLayer,
  WinDivertEvent,
  WinDivertFlag,
  type WinDivertAddress,
  type WinDivertFlowData,
  type WinDivertLayerName,
} from './windows/address.js';
export { flowFilter, networkFilter, MAX_FLOW_TERMS, type FlowKey } from './windows/filter.js';
export {
  isCapturable,
  parseCidr,
  excludedRanges,
  type Cidr,
  type DestinationPolicy,
} from './windows/destinations.js';
export {
  buildIpv4Udp,
  parseIpv4Udp,
  ipv4ChecksumOk,
  udpChecksumOk,
  type Ipv4UdpPacket,
} from './windows/udp-packet.js';
