/**
 * Load shapes for issue #15: many sessions starting at once (cold start / reconnect storm), and session
 * churn for a soak. Loopback only; each client is its own socket, so each is its own relay session.
 */
import { createSocket, type Socket } from 'node:dgram';

import { encodeHeader, HEADER_V1_LEN, parseIpv4 } from '@lightspeed/shared';

import { sleep } from './probes.js';

const LO = parseIpv4('127.0.0.1')!;

/** A v1 tunnel header from `srcPort` to 127.0.0.1:`dstPort`. */
export function v1Header(srcPort: number, dstPort: number, flags = 0): Buffer {
  const hdr = Buffer.alloc(HEADER_V1_LEN);
  encodeHeader(
    { version: 1, flags, token: 0, sequence: 0, timestampUs: 0, srcIp: LO, dstIp: LO, srcPort, dstPort },
    hdr,
  );
  return hdr;
}

async function boundSocket(host = '127.0.0.1'): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  return s;
}

const close = (s: Socket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface StormResult {
  sessions: number;
  pps_per_session: number;
  duration_ms: number;
  sent: number;
  received: number;
  loss_pct: number;
  /** Loss of the packets sent in the first second (where a cold start hurts). */
  first_second_loss_pct: number;
  /** RTT p99 of the packets sent in the first second. */
  first_second_p99_us: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

/**
 * `sessions` clients start sending at the same instant, each `pps` packets/s of `payloadBytes` for
 * `durationMs`, all through the relay to the echo server; every packet is an RTT sample (lost = no echo).
 * Sockets are bound before the clock starts, so the first packets of all sessions reach the relay together.
 */
export async function sessionStorm(
  relayPort: number,
  echoPort: number,
  options: {
    sessions: number;
    pps: number;
    durationMs: number;
    payloadBytes: number;
    /** Called when the first packets are about to leave (after every socket is bound). */
    onStart?: () => void;
  },
): Promise<StormResult> {
  const { sessions, pps, durationMs } = options;
  const perSession = Math.round((pps * durationMs) / 1000);
  const total = sessions * perSession;
  const sentAt = new Float64Array(total).fill(-1);
  const rtt = new Float64Array(total).fill(-1);
  const sockets: Socket[] = [];
  const packets: Buffer[] = [];
  for (let i = 0; i < sessions; i++) {
    const s = await boundSocket();
    for (const set of [() => s.setRecvBufferSize(1 << 20), () => s.setSendBufferSize(1 << 20)]) {
      try {
        set();
      } catch {
        // capped by the kernel
      }
    }
    const hdr = v1Header(s.address().port, echoPort);
    const p = Buffer.alloc(HEADER_V1_LEN + options.payloadBytes, 0x41);
    hdr.copy(p);
    s.on('message', (msg: Buffer) => {
      const now = performance.now();
      if (msg.length < HEADER_V1_LEN + 4) return;
      const id = msg.readUInt32BE(HEADER_V1_LEN);
      if (id < total && sentAt[id]! >= 0 && rtt[id]! < 0) rtt[id] = (now - sentAt[id]!) * 1000;
    });
    sockets.push(s);
    packets.push(p);
  }
  // Session i sends its n-th packet at start + n / pps + a per-session phase (spread within one interval).
  const interval = 1000 / pps;
  options.onStart?.();
  const start = performance.now();
  let next = 0; // packets sent so far, in time order of (n, i)
  while (next < total) {
    const now = performance.now();
    const elapsed = now - start;
    for (;;) {
      if (next >= total) break;
      const n = Math.floor(next / sessions);
      const i = next % sessions;
      const due = n * interval + (i / sessions) * interval;
      if (due > elapsed) break;
      const id = i * perSession + n;
      // A copy per datagram: dgram may still hold the session's previous one (its lookup defers the send).
      const p = Buffer.from(packets[i]!);
      p.writeUInt32BE(id, HEADER_V1_LEN);
      sentAt[id] = performance.now();
      sockets[i]!.send(p, relayPort, '127.0.0.1');
      next++;
    }
    await sleep(1);
  }
  await sleep(500);
  await Promise.all(sockets.map(close));
  let received = 0;
  let firstSent = 0;
  let firstLost = 0;
  const samples: number[] = [];
  const firstSamples: number[] = [];
  const firstPerSession = Math.min(perSession, Math.round(pps));
  for (let i = 0; i < sessions; i++) {
    for (let n = 0; n < perSession; n++) {
      const id = i * perSession + n;
      const r = rtt[id]!;
      if (n < firstPerSession) {
        firstSent++;
        if (r < 0) firstLost++;
        else firstSamples.push(r);
      }
      if (r >= 0) {
        received++;
        samples.push(r);
      }
    }
  }
  const sorted = Float64Array.from(samples).sort();
  const pct = (x: number): number => Math.round(x * 1e5) / 1e3;
  return {
    sessions,
    pps_per_session: pps,
    duration_ms: durationMs,
    sent: total,
    received,
    loss_pct: pct(1 - received / total),
    first_second_loss_pct: pct(firstLost / Math.max(1, firstSent)),
    first_second_p99_us: Math.round(percentile(Float64Array.from(firstSamples).sort(), 99)),
    p50_us: Math.round(percentile(sorted, 50)),
    p99_us: Math.round(percentile(sorted, 99)),
    max_us: Math.round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}
