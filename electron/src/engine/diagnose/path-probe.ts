/**
 * `diagnose`: the direct path to a game server against each relay path, measured the same way — small
 * request datagrams (`LSDG` + a sequence number) that a server answering requests (an echo server, many
 * game servers' query ports) sends back; RTT from our own send-time table, loss from what never came back.
 * Through a relay they travel as v1 tunnel data, so the relay path measured is the whole client → relay →
 * server → relay → client loop. A server that answers nothing gives no RTT on any path (null), and the
 * verdict says so instead of guessing.
 */
import dgram from 'node:dgram';

import { HEADER_V1_LEN, decodeHeader, encodeHeader, type RelayEndpoint } from '@lightspeed/shared';

import { nowMs, nowUs32 } from '../clock.js';
import { median } from '../percentile.js';
import { bindAddressFor, resolveIpv4, type ResolvedEndpoint } from '../resolve.js';

export interface PathResult {
  /** Median RTT, ms; null when nothing came back. */
  rttMs: number | null;
  /** 0..100 */
  lossPct: number;
  sent: number;
  received: number;
}

export interface DiagnoseOptions {
  count?: number;
  spacingMs?: number;
  timeoutMs?: number;
  token?: number;
}

const MAGIC = [0x4c, 0x53, 0x44, 0x47]; // 'LSDG'

/** The light request probe: `LSDG` + a sequence number, 16 bytes. */
export function probePayload(seq: number): Buffer {
  const b = Buffer.alloc(16);
  b.set(MAGIC, 0);
  b.writeUInt32BE(seq, 4);
  return b;
}

function probeSeq(payload: Uint8Array): number | null {
  if (payload.length < 8 || MAGIC.some((m, i) => payload[i] !== m)) return null;
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readUInt32BE(4);
}

/**
 * Sends `count` probes to `server`, directly or through `relay`, and times the answers.
 */
export async function probePath(
  server: ResolvedEndpoint,
  relay: RelayEndpoint | null,
  o: DiagnoseOptions = {},
): Promise<PathResult> {
  const count = o.count ?? 10;
  const spacing = o.spacingMs ?? 50;
  const timeout = o.timeoutMs ?? 1000;
  let target: ResolvedEndpoint;
  try {
    target = relay === null ? server : await resolveIpv4(relay.host, relay.port);
  } catch {
    return { rttMs: null, lossPct: 100, sent: 0, received: 0 };
  }
  const socket = dgram.createSocket('udp4');
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    if (rinfo.address !== target.address || rinfo.port !== target.port) return;
    let payload: Uint8Array = msg;
    if (relay !== null) {
      const h = decodeHeader(msg, 0, msg.length);
      if (!h.ok || h.header.flags !== 0) return;
      payload = msg.subarray(h.payloadOffset);
    }
    const seq = probeSeq(payload);
    const at = seq === null ? undefined : sentAt.get(seq);
    if (seq === null || at === undefined) return;
    sentAt.delete(seq);
    rtts.push(nowMs() - at);
  });
  let sent = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: bindAddressFor(target.address), port: 0 }, () => resolve());
    });
    const base = Math.floor(Math.random() * 0x7fffffff);
    for (let i = 0; i < count; i++) {
      const seq = (base + i) >>> 0;
      const payload = probePayload(seq);
      let datagram: Buffer = payload;
      if (relay !== null) {
        datagram = Buffer.alloc(HEADER_V1_LEN + payload.length);
        encodeHeader(
          {
            version: 1,
            flags: 0,
            token: relay.token ?? o.token ?? 0,
            sequence: i & 0xffff,
            timestampUs: nowUs32(),
            srcIp: 0,
            dstIp: server.ip,
            srcPort: 0,
            dstPort: server.port,
          },
          datagram,
        );
        datagram.set(payload, HEADER_V1_LEN);
      }
      sentAt.set(seq, nowMs());
      sent++;
      socket.send(datagram, target.port, target.address);
      if (i < count - 1) await sleep(spacing);
    }
    const deadline = nowMs() + timeout;
    while (sentAt.size > 0 && nowMs() < deadline) await sleep(5);
  } catch {
    // a socket that cannot bind measures nothing
  } finally {
    socket.close();
  }
  const received = rtts.length;
  return {
    rttMs: received === 0 ? null : median(rtts),
    lossPct: sent === 0 ? 100 : (100 * (sent - received)) / sent,
    sent,
    received,
  };
}

export interface Diagnosis {
  direct: PathResult;
  relays: { relay: string; result: PathResult }[];
  verdict: string;
  /** The direct RTT minus the best relay path's (positive: ms saved), when both are known. */
  msSaved: number | null;
}

/** Compares the paths: the best relay (RTT plus 10 ms per % loss) against direct. */
export function verdictFor(
  direct: PathResult,
  relays: { relay: string; result: PathResult }[],
  warp: { connected: boolean } | null = null,
): { verdict: string; msSaved: number | null } {
  const cost = (r: PathResult): number => (r.rttMs === null ? Infinity : r.rttMs + 10 * r.lossPct);
  const best = [...relays].sort((a, b) => cost(a.result) - cost(b.result))[0];
  const warpNote = warp?.connected ? ' (the direct path goes through Cloudflare WARP, which is on)' : '';
  if (best === undefined || best.result.rttMs === null) {
    return direct.rttMs === null
      ? { verdict: 'the server answered no probe on any path: nothing to compare', msSaved: null }
      : {
          verdict: `no relay path answered; direct is ${direct.rttMs.toFixed(1)} ms${warpNote}`,
          msSaved: null,
        };
  }
  const b = best.result;
  if (direct.rttMs === null)
    return { verdict: `direct gets no answer; via ${best.relay}: ${b.rttMs!.toFixed(1)} ms`, msSaved: null };
  const saved = direct.rttMs - b.rttMs!;
  const lossAvoided = direct.lossPct - b.lossPct;
  const parts: string[] = [];
  if (saved >= 1) parts.push(`${saved.toFixed(1)} ms saved`);
  if (lossAvoided >= 1) parts.push(`${lossAvoided.toFixed(1)}% loss avoided`);
  if (parts.length > 0)
    return {
      verdict: `boosting helps via ${best.relay}: ${parts.join(', ')} (without LightSpeed ${direct.rttMs.toFixed(1)} ms → with ${b.rttMs!.toFixed(1)} ms)${warpNote}`,
      msSaved: saved,
    };
  return {
    verdict: `direct is better: ${direct.rttMs.toFixed(1)} ms direct vs ${b.rttMs!.toFixed(1)} ms via ${best.relay}${warpNote}`,
    msSaved: saved,
  };
}

export async function diagnose(
  server: ResolvedEndpoint,
  relays: { label: string; endpoint: RelayEndpoint }[],
  o: DiagnoseOptions = {},
  warp: { connected: boolean } | null = null,
): Promise<Diagnosis> {
  const [direct, ...via] = await Promise.all([
    probePath(server, null, o),
    ...relays.map((r) => probePath(server, r.endpoint, o)),
  ]);
  const list = relays.map((r, i) => ({ relay: r.label, result: via[i]! }));
  return { direct: direct, relays: list, ...verdictFor(direct, list, warp) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
