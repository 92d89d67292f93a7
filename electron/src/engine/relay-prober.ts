/**
 * Measures relays with bursts of keepalives (deployed relays answer them without a session), each relay
 * from its own socket, all in parallel.
 */
import dgram from 'node:dgram';

import {
  Flag,
  HEADER_V1_LEN,
  decodeHeader,
  decodeServerLegAnswer,
  encodeServerLegQuery,
  parseIpv4,
  encodeHeader,
  keepaliveHeader,
  relayRef,
  type RelayEndpoint,
  type RelayRef,
} from '@lightspeed/shared';

import { nowMs, nowUs32 } from './clock.js';
import { bindAddressFor, resolveIpv4 } from './resolve.js';

export interface ProbeOptions {
  /** Keepalives per relay. Default 5. */
  count?: number;
  /** Spacing between keepalives, ms. Default 20. */
  spacingMs?: number;
  /** How long to wait for the last reply, ms. Default 500. */
  timeoutMs?: number;
  token?: number;
  /**
   * The game server: each keepalive then carries a server-leg query, and our relays answer with their own
   * measured leg to it (deployed relays answer a bare keepalive: the leg stays unknown).
   */
  server?: { address: string; port: number };
}

/** Raw probe outcome for one relay. */
export interface ProbeSample {
  endpoint: RelayEndpoint;
  relay: RelayRef;
  sent: number;
  rtts: number[];
  /** The relay's own leg to `ProbeOptions.server` (median, ms), when it knows one. */
  serverLegMs?: number;
}

/** Probes every relay; never rejects (an unresolvable or silent relay simply gets no RTTs). */
export async function probeRelays(
  relays: readonly RelayEndpoint[],
  options: ProbeOptions = {},
): Promise<ProbeSample[]> {
  return Promise.all(relays.map((r) => probeOne(r, options)));
}

async function probeOne(endpoint: RelayEndpoint, o: ProbeOptions): Promise<ProbeSample> {
  const count = o.count ?? 5;
  const spacing = o.spacingMs ?? 20;
  const timeout = o.timeoutMs ?? 500;
  const relay = relayRef(endpoint);
  const sample: ProbeSample = { endpoint, relay, sent: 0, rtts: [] };
  let target;
  try {
    target = await resolveIpv4(endpoint.host, endpoint.port);
  } catch {
    return sample;
  }
  const socket = dgram.createSocket('udp4');
  const sentAt = new Map<number, number>();
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    if (rinfo.address !== target.address || rinfo.port !== target.port) return;
    const r = decodeHeader(msg, 0, msg.length);
    if (!r.ok || !(r.header.flags & Flag.KEEPALIVE)) return;
    const at = sentAt.get(r.header.sequence);
    if (at === undefined) return;
    sentAt.delete(r.header.sequence);
    sample.rtts.push(nowMs() - at);
    const leg = msg.length > HEADER_V1_LEN ? decodeServerLegAnswer(msg.subarray(HEADER_V1_LEN)) : null;
    if (leg?.known) sample.serverLegMs = leg.legUs / 1000;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: bindAddressFor(target.address), port: 0 }, () => resolve());
    });
    const serverIp = o.server === undefined ? null : parseIpv4(o.server.address);
    const query =
      serverIp === null || o.server === undefined
        ? new Uint8Array(0)
        : encodeServerLegQuery({ ip: serverIp, port: o.server.port });
    const base = Math.floor(Math.random() * 0x8000);
    for (let i = 0; i < count; i++) {
      const seq = (base + i) & 0xffff;
      const buf = Buffer.alloc(HEADER_V1_LEN + query.length);
      encodeHeader(keepaliveHeader(seq, nowUs32(), o.token ?? 0), buf);
      buf.set(query, HEADER_V1_LEN);
      sentAt.set(seq, nowMs());
      sample.sent++;
      socket.send(buf, target.port, target.address);
      if (i < count - 1) await sleep(spacing);
    }
    const deadline = nowMs() + timeout;
    while (sentAt.size > 0 && nowMs() < deadline) await sleep(5);
  } catch {
    // a bind failure leaves the sample empty: the relay ranks last
  } finally {
    socket.close();
  }
  return sample;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
