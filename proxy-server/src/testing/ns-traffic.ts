/**
 * Traffic roles for the namespace lab (run as `node dist/testing/ns-traffic.js ROLE --key value …`);
 * each prints one JSON line with its result on stdout.
 *   echo   --port P                 UDP echo on 127.0.0.1:P (prints {"port"} once bound; runs until killed)
 *   player --relay H:P --echo-port E --pps N --duration-ms D [--payload B]
 *          a v1 tunnel client sending N packets/s through the relay to the echo server; prints
 *          {"sent","received","loss_pct","p50_us","p99_us"} (RTT per packet, lost = no echo within 1 s)
 *   flood  --target H:P --pps N --duration-ms D [--size B] [--sockets K]
 *          garbage datagrams (0xff bytes: not a tunnel header) from one host, N/s or as fast as it can
 *          (N = 0); prints {"sent","offered_pps"}
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseArgs } from 'node:util';

import { encodeHeader, HEADER_V1_LEN, parseIpv4 } from '@lightspeed/shared';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '0' },
    relay: { type: 'string' },
    target: { type: 'string' },
    'echo-port': { type: 'string' },
    pps: { type: 'string', default: '128' },
    'duration-ms': { type: 'string', default: '5000' },
    payload: { type: 'string', default: '100' },
    size: { type: 'string', default: '100' },
    sockets: { type: 'string', default: '4' },
  },
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hostPort = (s: string | undefined): [string, number] => {
  const m = /^(.+):(\d+)$/.exec(s ?? '');
  if (!m) throw new Error(`expected host:port, got ${s}`);
  return [m[1]!, Number(m[2])];
};
const print = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v)}\n`);

async function bound(host = '0.0.0.0', port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(port, host, resolve));
  for (const set of [() => s.setRecvBufferSize(4 << 20), () => s.setSendBufferSize(4 << 20)]) {
    try {
      set();
    } catch {
      // capped by the kernel
    }
  }
  return s;
}

async function echo(): Promise<void> {
  const s = await bound('127.0.0.1', Number(values.port));
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  print({ port: s.address().port });
  process.on('SIGTERM', () => process.exit(0));
}

async function player(): Promise<void> {
  const [host, port] = hostPort(values.relay);
  const echoPort = Number(values['echo-port']);
  const pps = Number(values.pps);
  const total = Math.round((pps * Number(values['duration-ms'])) / 1000);
  const s = await bound();
  const lo = parseIpv4('127.0.0.1')!;
  const packet = Buffer.alloc(HEADER_V1_LEN + Number(values.payload), 0x5a);
  encodeHeader(
    {
      version: 1,
      flags: 0,
      token: 0,
      sequence: 0,
      timestampUs: 0,
      srcIp: 0,
      dstIp: lo,
      srcPort: s.address().port,
      dstPort: echoPort,
    },
    packet,
  );
  const sentAt = new Float64Array(total);
  const rtt = new Float64Array(total).fill(-1);
  s.on('message', (m: Buffer) => {
    const now = performance.now();
    if (m.length < HEADER_V1_LEN + 4) return;
    const id = m.readUInt32BE(HEADER_V1_LEN);
    if (id < total && rtt[id]! < 0 && now - sentAt[id]! < 1000) rtt[id] = (now - sentAt[id]!) * 1000;
  });
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / pps - performance.now();
    if (wait > 0.5) await sleep(wait);
    // A copy per datagram: dgram may still hold the previous one (its address lookup defers the send).
    const p = Buffer.from(packet);
    p.writeUInt32BE(i, HEADER_V1_LEN);
    sentAt[i] = performance.now();
    s.send(p, port, host);
  }
  await sleep(1000);
  const got = Array.from(rtt.filter((x) => x >= 0)).sort((a, b) => a - b);
  const pct = (p: number): number =>
    Math.round(got[Math.min(got.length - 1, Math.floor((p / 100) * got.length))] ?? -1);
  print({
    sent: total,
    received: got.length,
    loss_pct: Math.round((1 - got.length / total) * 1e5) / 1e3,
    p50_us: pct(50),
    p99_us: pct(99),
    // The first lost packets' indexes: tells start-up loss from loss under load.
    first_lost: Array.from(rtt.keys())
      .filter((i) => rtt[i]! < 0)
      .slice(0, 10),
  });
  s.close();
}

async function flood(): Promise<void> {
  const [host, port] = hostPort(values.target);
  const pps = Number(values.pps);
  const durationMs = Number(values['duration-ms']);
  const sockets = await Promise.all(Array.from({ length: Number(values.sockets) }, () => bound()));
  for (const s of sockets) s.connect(port, host);
  await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
  const packet = Buffer.alloc(Number(values.size), 0xff);
  let sent = 0;
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    // Paced: send what is due; full speed: a batch per turn (the event loop still runs between batches).
    const due = pps > 0 ? Math.floor((pps * elapsed) / 1000) - sent : 2000;
    for (let i = 0; i < due; i++) sockets[i % sockets.length]!.send(packet);
    sent += Math.max(0, due);
    await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - start) / 1000;
  print({ sent, offered_pps: Math.round(sent / seconds) });
  for (const s of sockets) s.close();
}

const role = positionals[0];
if (role === 'echo') await echo();
else if (role === 'player') await player();
else if (role === 'flood') await flood();
else {
  process.stderr.write(`ns-traffic: unknown role ${role}\n`);
  process.exit(2);
}
