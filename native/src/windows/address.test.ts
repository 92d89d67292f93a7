import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ipToU32 } from '../ipv4.js';
import {
  buildWinDivertAddress,
  parseWinDivertAddress,
  WINDIVERT_ADDRESS_SIZE,
  WinDivertEvent,
  WinDivertLayer,
} from './address.js';

/** A FLOW-layer WINDIVERT_ADDRESS written byte by byte from the documented layout. */
function handWrittenFlowAddress(): Uint8Array {
  const b = new Uint8Array(80);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, 133_000_000_123n, true); // Timestamp
  // Layer = FLOW (2), Event = FLOW_ESTABLISHED (1), Sniffed (bit 16), Outbound (bit 17).
  v.setUint32(8, 2 | (1 << 8) | (1 << 16) | (1 << 17), true);
  v.setBigUint64(16, 0x1122334455667788n, true); // EndpointId
  v.setBigUint64(24, 42n, true); // ParentEndpointId
  v.setUint32(32, 4242, true); // ProcessId
  // LocalAddr = ::ffff:192.168.1.10 (host-order words), RemoteAddr = ::ffff:203.0.113.7.
  v.setUint32(36, ipToU32('192.168.1.10'), true);
  v.setUint32(40, 0xffff, true);
  v.setUint32(52, ipToU32('203.0.113.7'), true);
  v.setUint32(56, 0xffff, true);
  v.setUint16(68, 50_000, true); // LocalPort
  v.setUint16(70, 3074, true); // RemotePort
  b[72] = 17; // Protocol
  return b;
}

describe('WINDIVERT_ADDRESS', () => {
  it('reads a FLOW-layer address', () => {
    expect(parseWinDivertAddress(handWrittenFlowAddress())).toEqual({
      timestamp: 133_000_000_123n,
      layer: WinDivertLayer.flow,
      event: WinDivertEvent.flowEstablished,
      sniffed: true,
      outbound: true,
      loopback: false,
      impostor: false,
      ipv6: false,
      ipChecksum: false,
      tcpChecksum: false,
      udpChecksum: false,
      flow: {
        endpointId: 0x1122334455667788n,
        parentEndpointId: 42n,
        processId: 4242,
        localIp: ipToU32('192.168.1.10'),
        remoteIp: ipToU32('203.0.113.7'),
        localAddrWords: [ipToU32('192.168.1.10'), 0xffff, 0, 0],
        remoteAddrWords: [ipToU32('203.0.113.7'), 0xffff, 0, 0],
        localPort: 50_000,
        remotePort: 3074,
        protocol: 17,
      },
    });
  });

  it('reads a NETWORK-layer address and its flags', () => {
    const b = new Uint8Array(80);
    const v = new DataView(b.buffer);
    v.setUint32(8, (1 << 18) | (1 << 21) | (1 << 23), true); // NETWORK, Loopback, IPChecksum, UDPChecksum
    v.setUint32(16, 7, true);
    v.setUint32(20, 3, true);
    expect(parseWinDivertAddress(b)).toMatchObject({
      layer: WinDivertLayer.network,
      outbound: false,
      loopback: true,
      ipChecksum: true,
      tcpChecksum: false,
      udpChecksum: true,
      network: { ifIdx: 7, subIfIdx: 3 },
    });
  });

  it('leaves IPv6 flows without an IPv4 address', () => {
    const b = handWrittenFlowAddress();
    new DataView(b.buffer).setUint32(40, 0x20010db8, true);
    expect(parseWinDivertAddress(b)?.flow?.localIp).toBeNull();
  });

  it('rejects anything but 80 bytes', () => {
    expect(parseWinDivertAddress(new Uint8Array(79))).toBeNull();
    expect(parseWinDivertAddress(new Uint8Array(81))).toBeNull();
  });

  it('builds what it parses', () => {
    expect(buildWinDivertAddress(parseWinDivertAddress(handWrittenFlowAddress()) ?? {})).toEqual(
      handWrittenFlowAddress(),
    );
    fc.assert(
      fc.property(
        fc.record({
          timestamp: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          event: fc.integer({ min: 0, max: 255 }),
          outbound: fc.boolean(),
          loopback: fc.boolean(),
          impostor: fc.boolean(),
          ipChecksum: fc.boolean(),
          udpChecksum: fc.boolean(),
          ifIdx: fc.nat({ max: 0xffffffff }),
          subIfIdx: fc.nat({ max: 0xffffffff }),
        }),
        ({ ifIdx, subIfIdx, ...rest }) => {
          const bytes = buildWinDivertAddress({
            ...rest,
            layer: WinDivertLayer.network,
            network: { ifIdx, subIfIdx },
          });
          expect(bytes.length).toBe(WINDIVERT_ADDRESS_SIZE);
          expect(parseWinDivertAddress(bytes)).toMatchObject({ ...rest, network: { ifIdx, subIfIdx } });
        },
      ),
    );
  });
});
