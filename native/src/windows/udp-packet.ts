/**
 * IPv4 + UDP packets as WinDivert hands them over (and takes them back): parse, build, checksums.
 * Replies are built as inbound packets from the game server's address to the game's socket.
 */

export interface Ipv4UdpPacket {
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  ttl: number;
  id: number;
  payload: Uint8Array;
}

const IPV4_HEADER = 20;
const UDP_HEADER = 8;
export const MAX_UDP_PAYLOAD = 65535 - IPV4_HEADER - UDP_HEADER;

/** RFC 1071 ones' complement sum of `bytes` added to `initial` (not yet folded/inverted). */
function sum16(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (n % 2 === 1) sum += (bytes[n - 1] ?? 0) << 8;
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The IPv4 header checksum field value for `header` (its checksum field taken as zero). */
export function ipv4HeaderChecksum(header: Uint8Array): number {
  const copy = Uint8Array.from(header);
  copy[10] = 0;
  copy[11] = 0;
  return ~fold(sum16(copy)) & 0xffff;
}

function pseudoHeaderSum(srcIp: number, dstIp: number, udpLength: number): number {
  return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 17 + udpLength;
}

/** The UDP checksum for `udp` (header + payload, checksum field taken as zero); 0 is sent as 0xFFFF. */
export function udpChecksum(srcIp: number, dstIp: number, udp: Uint8Array): number {
  const copy = Uint8Array.from(udp);
  copy[6] = 0;
  copy[7] = 0;
  const value = ~fold(sum16(copy, pseudoHeaderSum(srcIp, dstIp, udp.length))) & 0xffff;
  return value === 0 ? 0xffff : value;
}

/** Builds an IPv4/UDP packet with valid IP and UDP checksums (DF set, no options). */
export function buildIpv4Udp(
  p: Omit<Ipv4UdpPacket, 'ttl' | 'id'> & { ttl?: number; id?: number },
): Uint8Array {
  if (p.payload.length > MAX_UDP_PAYLOAD) throw new RangeError(`UDP payload too long: ${p.payload.length}`);
  const total = IPV4_HEADER + UDP_HEADER + p.payload.length;
  const packet = new Uint8Array(total);
  const v = new DataView(packet.buffer);
  packet[0] = 0x45;
  v.setUint16(2, total);
  v.setUint16(4, (p.id ?? 0) & 0xffff);
  v.setUint16(6, 0x4000); // don't fragment
  packet[8] = p.ttl ?? 64;
  packet[9] = 17;
  v.setUint32(12, p.srcIp >>> 0);
  v.setUint32(16, p.dstIp >>> 0);
  v.setUint16(10, ipv4HeaderChecksum(packet.subarray(0, IPV4_HEADER)));
  v.setUint16(20, p.srcPort);
  v.setUint16(22, p.dstPort);
  v.setUint16(24, UDP_HEADER + p.payload.length);
  packet.set(p.payload, IPV4_HEADER + UDP_HEADER);
  v.setUint16(26, udpChecksum(p.srcIp >>> 0, p.dstIp >>> 0, packet.subarray(IPV4_HEADER)));
  return packet;
}

/**
 * Parses an unfragmented IPv4/UDP packet (options allowed); null for anything else or anything
 * malformed. `payload` is a view into `packet`.
 */
export function parseIpv4Udp(packet: Uint8Array): Ipv4UdpPacket | null {
  if (packet.length < IPV4_HEADER + UDP_HEADER) return null;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const first = v.getUint8(0);
  const headerLength = (first & 0x0f) * 4;
  if (first >> 4 !== 4 || headerLength < IPV4_HEADER || v.getUint8(9) !== 17) return null;
  const total = v.getUint16(2);
  if (total > packet.length || total < headerLength + UDP_HEADER) return null;
  if ((v.getUint16(6) & 0x3fff) !== 0) return null; // a fragment (MF set or an offset)
  const udpLength = v.getUint16(headerLength + 4);
  if (udpLength < UDP_HEADER || headerLength + udpLength > total) return null;
  return {
    srcIp: v.getUint32(12),
    dstIp: v.getUint32(16),
    ttl: v.getUint8(8),
    id: v.getUint16(4),
    srcPort: v.getUint16(headerLength),
    dstPort: v.getUint16(headerLength + 2),
    payload: packet.subarray(headerLength + UDP_HEADER, headerLength + udpLength),
  };
}

/** True when the IPv4 header checksum verifies. */
export function ipv4ChecksumOk(packet: Uint8Array): boolean {
  if (packet.length < IPV4_HEADER) return false;
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  if (headerLength < IPV4_HEADER || headerLength > packet.length) return false;
  return fold(sum16(packet.subarray(0, headerLength))) === 0xffff;
}

/** True when the UDP checksum verifies (a zero checksum means "none" and passes). */
export function udpChecksumOk(packet: Uint8Array): boolean {
  const parsed = parseIpv4Udp(packet);
  if (parsed === null) return false;
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const udpLength = v.getUint16(headerLength + 4);
  if (v.getUint16(headerLength + 6) === 0) return true;
  const udp = packet.subarray(headerLength, headerLength + udpLength);
  return fold(sum16(udp, pseudoHeaderSum(parsed.srcIp, parsed.dstIp, udpLength))) === 0xffff;
}
