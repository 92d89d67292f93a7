// WinDivertCapture's logic on any OS: WinDivert handles are replaced by recording fakes, fed with
// FLOW-layer addresses and NETWORK-layer packets built from the documented layouts.
import { describe, expect, it } from 'vitest';

import {
  buildIpv4Udp,
  buildWinDivertAddress,
  ipToU32,
  ipv4ChecksumOk,
  parseIpv4Udp,
  parseWinDivertAddress,
  udpChecksumOk,
  WinDivertEvent,
  WinDivertFlag,
  type WinDivertHandle,
  WinDivertLayer,
  type WinDivertOptions,
} from '@lightspeed/native';

import type { CaptureBackend, Endpoint } from '../capture-backend.js';
import { WinDivertCapture } from './windivert-capture.js';

interface FakeHandle extends WinDivertHandle {
  options: WinDivertOptions;
  sent: { packet: Uint8Array; address: Uint8Array }[];
  closed: boolean;
}

function fakeWinDivert() {
  const handles: FakeHandle[] = [];
  const open = (options: WinDivertOptions): WinDivertHandle => {
    const handle: FakeHandle = {
      options,
      sent: [],
      closed: false,
      send(packet, address) {
        this.sent.push({ packet: Uint8Array.from(packet), address: Uint8Array.from(address) });
        return true;
      },
      close() {
        this.closed = true;
      },
    };
    handles.push(handle);
    return handle;
  };
  const live = (layer: WinDivertOptions['layer']) =>
    handles.filter((h) => h.options.layer === layer && !h.closed);
  return { open, handles, live };
}

const PID = 4242;
const GAME_IP = ipToU32('192.168.1.10');
const SERVER_IP = ipToU32('203.0.113.7');
const RELAY = '198.51.100.1';

function flowEvent(
  event: number,
  over: { processId?: number; remoteIp?: number; remotePort?: number; protocol?: number } = {},
) {
  return Buffer.from(
    buildWinDivertAddress({
      layer: WinDivertLayer.flow,
      event,
      sniffed: true,
      outbound: true,
      flow: {
        processId: over.processId ?? PID,
        localIp: GAME_IP,
        localPort: 50_000,
        remoteIp: over.remoteIp ?? SERVER_IP,
        remotePort: over.remotePort ?? 3074,
        protocol: over.protocol ?? 17,
      },
    }),
  );
}

const outboundAddress = Buffer.from(
  buildWinDivertAddress({
    layer: WinDivertLayer.network,
    outbound: true,
    network: { ifIdx: 12, subIfIdx: 1 },
  }),
);

function gamePacket(dstIp = SERVER_IP, payload = Uint8Array.of(1, 2, 3)) {
  return Buffer.from(buildIpv4Udp({ srcIp: GAME_IP, srcPort: 50_000, dstIp, dstPort: 3074, payload }));
}

async function started() {
  const fake = fakeWinDivert();
  const capture = new WinDivertCapture({
    dllPath: 'C:\\LightSpeed\\resources\\WinDivert.dll',
    open: fake.open,
  });
  const datagrams: [Endpoint, Endpoint, number[]][] = [];
  const sockets: number[][] = [];
  const errors: Error[] = [];
  // Structural check: what the engine will hold it as.
  const backend: CaptureBackend = capture;
  await backend.start(
    { pids: [PID] },
    { excludes: [`${RELAY}/32`] },
    {
      onDatagram: (game, server, payload) => datagrams.push([game, server, [...payload]]),
      onSockets: (ports) => sockets.push(ports),
      onError: (e) => errors.push(e),
    },
  );
  return { fake, capture, datagrams, sockets, errors };
}

describe('WinDivertCapture', () => {
  it("watches the target's flows with a sniffing FLOW handle", async () => {
    const { fake } = await started();
    expect(fake.handles).toHaveLength(1);
    expect(fake.handles[0]?.options).toMatchObject({
      dllPath: 'C:\\LightSpeed\\resources\\WinDivert.dll',
      layer: 'flow',
      filter: `ip and udp and processId == ${PID}`,
      flags: WinDivertFlag.sniff | WinDivertFlag.recvOnly,
    });
  });

  it('diverts the packets of a new flow, and sends others on untouched', async () => {
    const { fake, datagrams, sockets, capture } = await started();
    const flow = fake.live('flow')[0];
    flow?.options.onPacket(Buffer.alloc(0), flowEvent(WinDivertEvent.flowEstablished));
    const network = fake.live('network');
    expect(network).toHaveLength(1);
    expect(network[0]?.options.filter).toMatch(
      /udp\.SrcPort == 50000 and ip\.DstAddr == 203\.0\.113\.7 and udp\.DstPort == 3074/,
    );
    expect(network[0]?.options.flags).toBe(0);
    expect(sockets).toEqual([[50_000]]);

    network[0]?.options.onPacket(gamePacket(), outboundAddress);
    expect(datagrams).toEqual([
      [
        { address: '192.168.1.10', ip: GAME_IP, port: 50_000 },
        { address: '203.0.113.7', ip: SERVER_IP, port: 3074 },
        [1, 2, 3],
      ],
    ]);
    expect(network[0]?.sent).toEqual([]);

    // A packet the filter let through but that is not a known flow goes on unchanged.
    const stray = gamePacket(ipToU32('203.0.113.99'));
    network[0]?.options.onPacket(stray, outboundAddress);
    expect(network[0]?.sent).toEqual([
      { packet: Uint8Array.from(stray), address: Uint8Array.from(outboundAddress) },
    ]);
    expect(capture.stats()).toMatchObject({ flows: 1, diverted: 1, reinjected: 1 });
  });

  it('ignores other processes, TCP, excluded relays, the LAN and DNS', async () => {
    const { fake, sockets } = await started();
    const flow = fake.live('flow')[0];
    for (const event of [
      flowEvent(WinDivertEvent.flowEstablished, { processId: PID + 1 }),
      flowEvent(WinDivertEvent.flowEstablished, { protocol: 6 }),
      flowEvent(WinDivertEvent.flowEstablished, { remoteIp: ipToU32(RELAY) }),
      flowEvent(WinDivertEvent.flowEstablished, { remoteIp: ipToU32('192.168.1.1') }),
      flowEvent(WinDivertEvent.flowEstablished, { remotePort: 53 }),
    ]) {
      flow?.options.onPacket(Buffer.alloc(0), event);
    }
    expect(fake.live('network')).toEqual([]);
    expect(sockets).toEqual([]);
  });

  it("replies with an inbound packet from the server, on the flow's interface, checksums valid", async () => {
    const { fake, capture } = await started();
    fake.live('flow')[0]?.options.onPacket(Buffer.alloc(0), flowEvent(WinDivertEvent.flowEstablished));
    const network = fake.live('network')[0];
    network?.options.onPacket(gamePacket(), outboundAddress);

    const game = { address: '192.168.1.10', ip: GAME_IP, port: 50_000 };
    const server = { address: '203.0.113.7', ip: SERVER_IP, port: 3074 };
    capture.reply(game, server, Uint8Array.of(7, 7, 7, 7));
    const sent = network?.sent[0];
    expect(sent).toBeDefined();
    if (sent === undefined) return;
    expect(parseIpv4Udp(sent.packet)).toMatchObject({
      srcIp: SERVER_IP,
      srcPort: 3074,
      dstIp: GAME_IP,
      dstPort: 50_000,
      payload: Uint8Array.of(7, 7, 7, 7),
    });
    expect(ipv4ChecksumOk(sent.packet) && udpChecksumOk(sent.packet)).toBe(true);
    expect(parseWinDivertAddress(sent.address)).toMatchObject({
      layer: WinDivertLayer.network,
      outbound: false,
      network: { ifIdx: 12, subIfIdx: 1 },
    });
    expect(capture.stats()).toMatchObject({ replies: 1, replyErrors: 0 });

    // release(server) forgets the flow's interface; a later reply goes by the last interface seen.
    capture.release(server);
    capture.reply(game, server, Uint8Array.of(8));
    expect(parseWinDivertAddress(network?.sent[1]?.address ?? new Uint8Array())?.network).toEqual({
      ifIdx: 12,
      subIfIdx: 1,
    });
    expect(capture.stats()).toMatchObject({ replies: 2, replyErrors: 0 });
  });

  it('drops the network handle when the flow ends, retargets, and stops twice', async () => {
    const { fake, sockets, capture } = await started();
    const flow = fake.live('flow')[0];
    flow?.options.onPacket(Buffer.alloc(0), flowEvent(WinDivertEvent.flowEstablished));
    flow?.options.onPacket(Buffer.alloc(0), flowEvent(WinDivertEvent.flowDeleted));
    expect(fake.live('network')).toEqual([]);
    expect(sockets).toEqual([[50_000], []]);
    // No handle to reply through: counted, not thrown.
    capture.reply(
      { address: '192.168.1.10', ip: GAME_IP, port: 50_000 },
      { address: '203.0.113.7', ip: SERVER_IP, port: 3074 },
      Uint8Array.of(1),
    );
    expect(capture.stats().replyErrors).toBe(1);

    await capture.retarget({ pids: [PID, 77] });
    expect(fake.live('flow').map((h) => h.options.filter)).toEqual([
      `ip and udp and (processId == 77 or processId == ${PID})`,
    ]);
    await capture.stop();
    await capture.stop();
    expect(fake.handles.every((h) => h.closed)).toBe(true);
  });

  it('counts a malformed address instead of throwing, and refuses a bad exclude at start', async () => {
    const { fake, capture } = await started();
    fake.live('flow')[0]?.options.onPacket(Buffer.alloc(0), Buffer.alloc(12));
    expect(capture.stats().malformed).toBe(1);
    const other = new WinDivertCapture({ dllPath: 'x', open: fakeWinDivert().open });
    await expect(
      other.start({ pids: [1] }, { excludes: ['not-a-cidr'] }, { onDatagram: () => {}, onError: () => {} }),
    ).rejects.toThrow(TypeError);
  });
});
