/**
 * WINDIVERT_ADDRESS (WinDivert 2.x, 80 bytes, little-endian x64):
 *   0  INT64  Timestamp
 *   8  UINT32 Layer:8 Event:8 Sniffed:1 Outbound:1 Loopback:1 Impostor:1 IPv6:1 IPChecksum:1 TCPChecksum:1 UDPChecksum:1
 *   12 UINT32 Reserved2
 *   16 union (64 bytes):
 *      Network { UINT32 IfIdx; UINT32 SubIfIdx }
 *      Flow    { UINT64 EndpointId; UINT64 ParentEndpointId; UINT32 ProcessId; UINT32 LocalAddr[4];
 *                UINT32 RemoteAddr[4]; UINT16 LocalPort; UINT16 RemotePort; UINT8 Protocol }
 * Flow addresses and ports are in host byte order; IPv4 is IPv4-mapped (::ffff:a.b.c.d), which in
 * WinDivert's host-order word layout is Addr[0] = a.b.c.d, Addr[1] = 0x0000FFFF, Addr[2] = Addr[3] = 0.
 */

export const WINDIVERT_ADDRESS_SIZE = 80;

export const WinDivertLayer = { network: 0, networkForward: 1, flow: 2, socket: 3, reflect: 4 } as const;
export type WinDivertLayerName = keyof typeof WinDivertLayer;

export const WinDivertEvent = {
  networkPacket: 0,
  flowEstablished: 1,
  flowDeleted: 2,
} as const;

export const WinDivertFlag = {
  sniff: 1,
  drop: 2,
  recvOnly: 4,
  sendOnly: 8,
  noInstall: 16,
  fragments: 32,
} as const;

export interface WinDivertFlowData {
  endpointId: bigint;
  parentEndpointId: bigint;
  processId: number;
  /** IPv4 (u32 host order) when the address is IPv4-mapped, else null. */
  localIp: number | null;
  remoteIp: number | null;
  /** The four raw words, for IPv6. */
  localAddrWords: number[];
  remoteAddrWords: number[];
  localPort: number;
  remotePort: number;
  protocol: number;
}

export interface WinDivertAddress {
  timestamp: bigint;
  layer: number;
  event: number;
  sniffed: boolean;
  outbound: boolean;
  loopback: boolean;
  impostor: boolean;
  ipv6: boolean;
  ipChecksum: boolean;
  tcpChecksum: boolean;
  udpChecksum: boolean;
  /** NETWORK and NETWORK_FORWARD layers. */
  network?: { ifIdx: number; subIfIdx: number };
  /** FLOW and SOCKET layers. */
  flow?: WinDivertFlowData;
}

const FLAG_BITS = [
  ['sniffed', 16],
  ['outbound', 17],
  ['loopback', 18],
  ['impostor', 19],
  ['ipv6', 20],
  ['ipChecksum', 21],
  ['tcpChecksum', 22],
  ['udpChecksum', 23],
] as const;

function mappedIpv4(words: number[]): number | null {
  return words[1] === 0xffff && words[2] === 0 && words[3] === 0 ? (words[0] ?? null) : null;
}

/** Parses the 80-byte struct; null when it is not 80 bytes. */
export function parseWinDivertAddress(bytes: Uint8Array): WinDivertAddress | null {
  if (bytes.byteLength !== WINDIVERT_ADDRESS_SIZE) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bits = v.getUint32(8, true);
  const address: WinDivertAddress = {
    timestamp: v.getBigInt64(0, true),
    layer: bits & 0xff,
    event: (bits >>> 8) & 0xff,
    sniffed: false,
    outbound: false,
    loopback: false,
    impostor: false,
    ipv6: false,
    ipChecksum: false,
    tcpChecksum: false,
    udpChecksum: false,
  };
  for (const [name, bit] of FLAG_BITS) address[name] = ((bits >>> bit) & 1) === 1;
  if (address.layer === WinDivertLayer.network || address.layer === WinDivertLayer.networkForward) {
    address.network = { ifIdx: v.getUint32(16, true), subIfIdx: v.getUint32(20, true) };
  } else if (address.layer === WinDivertLayer.flow || address.layer === WinDivertLayer.socket) {
    const words = (offset: number) => [0, 1, 2, 3].map((i) => v.getUint32(offset + 4 * i, true));
    const localAddrWords = words(36);
    const remoteAddrWords = words(52);
    address.flow = {
      endpointId: v.getBigUint64(16, true),
      parentEndpointId: v.getBigUint64(24, true),
      processId: v.getUint32(32, true),
      localIp: mappedIpv4(localAddrWords),
      remoteIp: mappedIpv4(remoteAddrWords),
      localAddrWords,
      remoteAddrWords,
      localPort: v.getUint16(68, true),
      remotePort: v.getUint16(70, true),
      protocol: v.getUint8(72),
    };
  }
  return address;
}

export type WinDivertAddressInit = Partial<Omit<WinDivertAddress, 'flow' | 'network'>> & {
  network?: { ifIdx: number; subIfIdx: number };
  flow?: Partial<Omit<WinDivertFlowData, 'localAddrWords' | 'remoteAddrWords'>>;
};

const mapped = (ip: number | null | undefined) => (ip == null ? [0, 0, 0, 0] : [ip >>> 0, 0xffff, 0, 0]);

/** Builds the 80-byte struct (for injecting packets, and for tests). */
export function buildWinDivertAddress(init: WinDivertAddressInit): Uint8Array {
  const bytes = new Uint8Array(WINDIVERT_ADDRESS_SIZE);
  const v = new DataView(bytes.buffer);
  v.setBigInt64(0, init.timestamp ?? 0n, true);
  let bits = ((init.layer ?? 0) & 0xff) | (((init.event ?? 0) & 0xff) << 8);
  for (const [name, bit] of FLAG_BITS) if (init[name] === true) bits |= 1 << bit;
  v.setUint32(8, bits >>> 0, true);
  if (init.network) {
    v.setUint32(16, init.network.ifIdx >>> 0, true);
    v.setUint32(20, init.network.subIfIdx >>> 0, true);
  }
  if (init.flow) {
    const f = init.flow;
    v.setBigUint64(16, f.endpointId ?? 0n, true);
    v.setBigUint64(24, f.parentEndpointId ?? 0n, true);
    v.setUint32(32, f.processId ?? 0, true);
    mapped(f.localIp).forEach((w, i) => v.setUint32(36 + 4 * i, w, true));
    mapped(f.remoteIp).forEach((w, i) => v.setUint32(52 + 4 * i, w, true));
    v.setUint16(68, f.localPort ?? 0, true);
    v.setUint16(70, f.remotePort ?? 0, true);
    v.setUint8(72, f.protocol ?? 0);
  }
  return bytes;
}
