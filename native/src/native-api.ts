/**
 * The raw shape of the compiled addon (`lightspeed_native.node`). Each platform's build exports only
 * its own parts, so every member past `abi`/`platform` is optional; the typed wrappers check them.
 */

/** One datagram taken by the divert socket. IPv4 as u32 in host order; `dst` is the original destination. */
export interface DivertedDatagram {
  /** The game socket's address. */
  srcIp: number;
  srcPort: number;
  /** Where the game sent it (the game server). */
  dstIp: number;
  dstPort: number;
  payload: Buffer;
}

export interface DivertSocketStats {
  received: number;
  /** recvmmsg calls that returned datagrams. */
  batches: number;
  sent: number;
  sendErrors: number;
  /** Datagrams dropped because they (or their original-destination control message) were cut. */
  truncated: number;
  /** Cached reply sockets (one per server address). */
  replySockets: number;
  /** SO_RCVBUF as the kernel reports it (2 MiB for the 1 MiB asked; 0 once closed). */
  receiveBuffer: number;
  /** The last sendFrom failure, e.g. "bind EADDRNOTAVAIL (...)". */
  lastSendError?: string;
}

export interface RawDivertSocket {
  readonly port: number;
  sendFrom(srcIp: number, srcPort: number, dstIp: number, dstPort: number, payload: Uint8Array): boolean;
  release(srcIp: number, srcPort: number): void;
  stats(): DivertSocketStats;
  close(): void;
}

export interface UdpTuple {
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
}

export interface FlowSample extends UdpTuple {
  packets: number;
  /** Sum of the IPv4 total lengths (IP header + UDP header + payload). */
  bytes: number;
}

export interface FlowWatcherStats {
  /** pcap_stats: packets the filter accepted. */
  received: number;
  /** pcap_stats: dropped for lack of buffer space. */
  dropped: number;
  /** pcap_stats: dropped by the interface or its driver. */
  ifDropped: number;
  /** Packets parsed as IPv4 UDP and counted. */
  matched: number;
  /** Packets not counted because the 5-tuple table was full. */
  overflowed: number;
}

export interface RawFlowWatcher {
  readonly linkType: number;
  take(): FlowSample[];
  stats(): FlowWatcherStats;
  close(): void;
}

export interface RawWinDivertHandle {
  send(packet: Uint8Array, address: Uint8Array): boolean;
  close(): void;
}

export interface NativeApi {
  /** Bumped when the addon's JS-facing shape changes. */
  abi: number;
  platform: 'linux' | 'win32' | 'other';
  // Linux
  DivertSocket?: new (
    address: string,
    port: number,
    onBatch: (batch: DivertedDatagram[]) => void,
    onError?: (error: Error) => void,
  ) => RawDivertSocket;
  dropPrivileges?: (uid: number, gid: number) => void;
  hasPcap?: boolean;
  pcapVersion?: string;
  compileFilter?: (filter: string) => void;
  parseFrame?: (linkType: number, frame: Uint8Array) => (UdpTuple & { ipLength: number }) | null;
  FlowWatcher?: new (
    device: string,
    filter: string,
    snaplen: number,
    onError?: (error: Error) => void,
  ) => RawFlowWatcher;
  // Windows
  WinDivert?: new (
    dllPath: string,
    filter: string,
    layer: number,
    priority: number,
    flags: number,
    onPacket: (packet: Buffer, address: Buffer) => void,
    onError: (error: Error) => void,
  ) => RawWinDivertHandle;
}

/** The addon's current ABI (src/addon.cc). */
export const NATIVE_ABI = 1;
