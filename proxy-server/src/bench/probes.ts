import { createSocket, type Socket } from 'node:dgram';

import { encodeHeader, HEADER_V1_LEN, parseIpv4 } from '@lightspeed/shared';

/** Where a probe sends: a port on 127.0.0.1, with or without a LightSpeed v1 header towards the echo. */
export interface ProbePath {
  name: string;
  port: number;
  /** Echo port to put in the tunnel header (relay paths only). */
  tunnelTo?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function headerFor(path: ProbePath, srcPort: number): Buffer | null {
  if (path.tunnelTo === undefined) return null;
  const hdr = Buffer.alloc(HEADER_V1_LEN);
  const lo = parseIpv4('127.0.0.1')!;
  encodeHeader(
    {
      version: 1,
      flags: 0,
      token: 0,
      sequence: 0,
      timestampUs: 0,
      srcIp: lo,
      dstIp: lo,
      srcPort,
      dstPort: path.tunnelTo,
    },
    hdr,
  );
  return hdr;
}

async function connectedSocket(port: number): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  for (const set of [() => s.setRecvBufferSize(4 << 20), () => s.setSendBufferSize(4 << 20)]) {
    try {
      set();
    } catch {
      // capped by the kernel
    }
  }
  await new Promise<void>((resolve) => s.connect(port, '127.0.0.1', resolve));
  return s;
}

const close = (s: Socket): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LatencyResult {
  samples: number;
  lost: number;
  p50_us: number;
  p99_us: number;
}

/**
 * RTT of `payloadBytes` packets at `pps` per path. Paths are interleaved packet by packet so that machine
 * noise hits all of them alike; the first `warmup` packets per path are not counted.
 */
export async function measureLatency(
  paths: ProbePath[],
  options: { pps: number; durationMs: number; payloadBytes: number; warmup: number },
): Promise<Record<string, LatencyResult>> {
  const perPath = Math.round((options.pps * options.durationMs) / 1000) + options.warmup;
  const states = await Promise.all(
    paths.map(async (path) => {
      const socket = await connectedSocket(path.port);
      const header = headerFor(path, socket.address().port);
      const offset = header ? header.length : 0;
      const sentAt = new Float64Array(perPath);
      const rtts: number[] = [];
      socket.on('message', (msg: Buffer) => {
        const now = performance.now();
        if (msg.length < offset + 4) return;
        const id = msg.readUInt32BE(offset);
        if (id >= options.warmup && id < perPath) rtts.push((now - sentAt[id]!) * 1000);
      });
      const packet = Buffer.alloc(offset + options.payloadBytes, 0x5a);
      if (header) header.copy(packet);
      return { path, socket, packet, offset, sentAt, rtts };
    }),
  );
  const interval = 1000 / (options.pps * paths.length);
  const start = performance.now();
  for (let i = 0; i < perPath * paths.length; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0.2) await sleep(wait);
    const st = states[i % paths.length]!;
    const id = Math.floor(i / paths.length);
    st.packet.writeUInt32BE(id, st.offset);
    st.sentAt[id] = performance.now();
    st.socket.send(st.packet);
  }
  await sleep(300);
  const out: Record<string, LatencyResult> = {};
  for (const st of states) {
    const sorted = Float64Array.from(st.rtts).sort();
    out[st.path.name] = {
      samples: sorted.length,
      lost: perPath - options.warmup - sorted.length,
      p50_us: Math.round(percentile(sorted, 50) * 10) / 10,
      p99_us: Math.round(percentile(sorted, 99) * 10) / 10,
    };
    await close(st.socket);
  }
  return out;
}

export interface CapacityTrial {
  rate_pps: number;
  sent: number;
  received: number;
  drop_pct: number;
}

/** Offers `rate` packets/s (round trips) for `durationMs` over several client sockets; counts echoes. */
export async function capacityTrial(
  path: ProbePath,
  rate: number,
  durationMs: number,
  clients: number,
): Promise<CapacityTrial> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connectedSocket(path.port)));
  let received = 0;
  const packets = sockets.map((s) => {
    s.on('message', () => received++);
    const header = headerFor(path, s.address().port);
    const p = Buffer.alloc((header?.length ?? 0) + 200, 0x33);
    if (header) header.copy(p);
    return p;
  });
  let sent = 0;
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    const due = Math.floor((rate * elapsed) / 1000);
    while (sent < due) {
      const k = sent % clients;
      sockets[k]!.send(packets[k]!);
      sent++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(400);
  await Promise.all(sockets.map(close));
  return { rate_pps: rate, sent, received, drop_pct: Math.round((1 - received / sent) * 1e5) / 1e3 };
}

export interface CapacityResult {
  capacity_pps: number;
  /** True when the client could not offer more than this (so the target's real limit is higher). */
  client_limited: boolean;
  trials: CapacityTrial[];
}

/**
 * Highest offered rate with under `maxDropPct` loss for each path: doubling from `startRate` until a trial
 * fails, then bisection. The paths' trials are interleaved rate by rate so background load on the machine
 * hits them alike, and a failed trial is retried once (a single stall of a shared CPU is not a capacity
 * limit). Bounded by maxRate and the number of bisections.
 */
export async function measureCapacity(
  paths: ProbePath[],
  options: {
    startRate: number;
    maxRate: number;
    durationMs: number;
    maxDropPct: number;
    bisections: number;
    clients: number;
  },
): Promise<Record<string, CapacityResult>> {
  const state = paths.map((path) => ({
    path,
    lo: 0,
    hi: 0,
    clientLimited: false,
    trials: [] as CapacityTrial[],
  }));
  const ok = async (st: (typeof state)[number], rate: number): Promise<boolean> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = await capacityTrial(st.path, rate, options.durationMs, options.clients);
      st.trials.push(t);
      await sleep(100);
      if (t.drop_pct < options.maxDropPct) {
        if (t.sent < 0.95 * rate * (options.durationMs / 1000)) st.clientLimited = true;
        return true;
      }
    }
    return false;
  };
  for (let rate = options.startRate; rate <= options.maxRate; rate *= 2) {
    const open = state.filter((st) => st.hi === 0);
    if (open.length === 0) break;
    for (const st of open) {
      if (await ok(st, rate)) st.lo = rate;
      else st.hi = rate;
    }
  }
  for (let i = 0; i < options.bisections; i++) {
    for (const st of state) {
      if (st.hi === 0) continue;
      const mid = Math.round((st.lo + st.hi) / 2);
      if (await ok(st, mid)) st.lo = mid;
      else st.hi = mid;
    }
  }
  const out: Record<string, CapacityResult> = {};
  for (const st of state)
    out[st.path.name] = { capacity_pps: st.lo, client_limited: st.clientLimited, trials: st.trials };
  return out;
}

/** Opens `count` clients that each send one tunnelled packet (creating one relay session each). */
export async function openIdleSessions(
  relayPort: number,
  echoPort: number,
  count: number,
  version: 1 | 2 = 1,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let replies = 0;
  for (let i = 0; i < count; i++) {
    const s = createSocket('udp4');
    s.on('message', () => replies++);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    let header = headerFor({ name: 'm', port: relayPort, tunnelTo: echoPort }, s.address().port)!;
    if (version === 2) {
      // The same header as v2: version nibble 2 plus a FEC extension (block 0, index 0, K 4).
      header = Buffer.concat([header, Buffer.from([0, 0, 0, 4])]);
      header[0] = 0x20;
    }
    s.send(Buffer.concat([header, Buffer.alloc(64, 1)]), relayPort, '127.0.0.1');
    sockets.push(s);
    if (i % 100 === 99) await sleep(20);
  }
  const deadline = Date.now() + 5000;
  while (replies < count && Date.now() < deadline) await sleep(20);
  return sockets;
}

/** Closes sockets opened by `openIdleSessions`. */
export async function closeAll(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map(close));
}
