/**
 * Passive libpcap flow watcher: per 5-tuple packet and byte counts of IPv4 UDP, for "game traffic
 * seen" and to discover the game server. Never forwards or alters anything.
 */
import { NativeUnavailableError, requireNative } from './load.js';
import type { FlowSample, FlowWatcherStats, NativeApi } from './native-api.js';

export type { FlowSample, FlowWatcherStats } from './native-api.js';

export const NO_PCAP_DETAIL = 'built without libpcap: apt-get install libpcap-dev';

export interface FlowWatcherOptions {
  /** Interface name; default `any` (all interfaces, Linux cooked headers). */
  device?: string;
  /** BPF filter, e.g. `udp and host 198.51.100.7`. */
  filter: string;
  /** Bytes kept per packet; default 128 (enough for the link, IPv4 and UDP headers). */
  snaplen?: number;
  /** The capture broke (interface gone, ...): it has stopped, counts taken so far remain. */
  onError?: (error: Error) => void;
}

export interface FlowWatcher {
  /** The pcap link type (DLT_) of the device. */
  readonly linkType: number;
  /** Per 5-tuple counts since the last take (at most 4096 tuples; see stats().overflowed). */
  take(): FlowSample[];
  stats(): FlowWatcherStats;
  close(): void;
}

/** The addon's pcap part, or NativeUnavailableError saying why it is missing from this build. */
export function pcapApi(native: NativeApi = requireNative()) {
  if (native.FlowWatcher === undefined || native.compileFilter === undefined || native.hasPcap !== true) {
    throw new NativeUnavailableError(
      'not-in-build',
      native.platform === 'linux' ? NO_PCAP_DETAIL : 'Linux only',
    );
  }
  return { FlowWatcher: native.FlowWatcher, compileFilter: native.compileFilter };
}

/** Opens a capture (needs CAP_NET_RAW). A bad filter throws with pcap's message (`code: 'EFILTER'`). */
export function openFlowWatcher(options: FlowWatcherOptions): FlowWatcher {
  const { FlowWatcher } = pcapApi();
  return new FlowWatcher(options.device ?? 'any', options.filter, options.snaplen ?? 128, options.onError);
}

/** Checks a BPF filter without opening a capture (no privileges needed). Throws like openFlowWatcher. */
export function checkCaptureFilter(filter: string): void {
  pcapApi().compileFilter(filter);
}
