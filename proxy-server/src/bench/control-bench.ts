/**
 * `npm run bench -w proxy-server` (second part): the QUIC control plane on loopback, JSON on stdout.
 *   connect   — QUIC handshake time (client created → connection established), against a TCP + TLS 1.3
 *               handshake with the same certificate measured in the same run;
 *   register  — Register → RegisterAck round trip on a fresh connection, and time from nothing to a token;
 *   ping      — Ping → Pong round trip on one connection, against a TLS echo and a UDP echo round trip.
 * Everything runs in this process, server and client alike, so the baselines pay the same event loop.
 */
import { createSocket } from 'node:dgram';
import { cpus } from 'node:os';
import { connect as tlsConnect, createServer as tlsServer, type TLSSocket } from 'node:tls';

import { ControlServer } from '../control/control-server.js';
import { loadOrCreateIdentity } from '../control/certificate.js';
import { connectRawControl } from '../control/raw-control-client.js';
import { TokenAuthority } from '../control/token-authority.js';

const CONNECTIONS = Number(process.env.CONTROL_BENCH_CONNECTIONS ?? 40);
const PINGS = Number(process.env.CONTROL_BENCH_PINGS ?? 200);

interface Summary {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  n: number;
}

function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    p50_ms: round(at(0.5)),
    p99_ms: round(at(0.99)),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / s.length),
    n: s.length,
  };
}

async function quicSamples(
  server: ControlServer,
): Promise<{ connect: number[]; register: number[]; toToken: number[]; ping: number[] }> {
  const connect: number[] = [];
  const register: number[] = [];
  const toToken: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const t0 = performance.now();
    const c = await connectRawControl({
      host: '127.0.0.1',
      port: server.port,
      certSha256: server.certSha256,
    });
    const t1 = performance.now();
    await c.send({ type: 'register', protocolVersion: 1, gameId: 2 });
    await c.next((m) => m.type === 'register-ack');
    const t2 = performance.now();
    connect.push(t1 - t0);
    register.push(t2 - t1);
    toToken.push(t2 - t0);
    await c.close();
  }
  const ping: number[] = [];
  const c = await connectRawControl({ host: '127.0.0.1', port: server.port });
  for (let i = 0; i < PINGS; i++) {
    const ts = BigInt(i + 1);
    const t0 = performance.now();
    await c.send({ type: 'ping', timestampUs: ts });
    await c.next((m) => m.type === 'pong' && m.clientTimestampUs === ts);
    ping.push(performance.now() - t0);
  }
  await c.close();
  return { connect, register, toToken, ping };
}

async function tlsSamples(certPem: string, keyPem: string): Promise<{ connect: number[]; echo: number[] }> {
  const server = tlsServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.3' }, (s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const open = (): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const s = tlsConnect(
        { host: '127.0.0.1', port, servername: 'lightspeed-proxy', rejectUnauthorized: false },
        () => resolve(s),
      );
      s.once('error', reject);
      s.setNoDelay(true);
    });
  const connect: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const t0 = performance.now();
    const s = await open();
    connect.push(performance.now() - t0);
    s.destroy();
  }
  const echo: number[] = [];
  const s = await open();
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write(Buffer.alloc(11, i & 0xff));
    });
    echo.push(performance.now() - t0);
  }
  s.destroy();
  server.close();
  return { connect, echo };
}

async function udpEchoSamples(): Promise<number[]> {
  const server = createSocket('udp4');
  server.on('message', (m, r) => server.send(m, r.port, r.address));
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const port = server.address().port;
  const out: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      client.once('message', () => resolve());
      client.send(Buffer.alloc(11, i & 0xff), port, '127.0.0.1');
    });
    out.push(performance.now() - t0);
  }
  client.close();
  server.close();
  return out;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const identity = await loadOrCreateIdentity({});
  const server = await ControlServer.start(
    {
      identity,
      authority: new TokenAuthority({ maxPerIp: 255 }),
      nodeId: 'bench',
      region: 'loopback',
      rateLimit: { burst: 1_000_000, perMinute: 1_000_000 },
    },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    const quic = await quicSamples(server);
    const tls = await tlsSamples(identity.certPem, identity.keyPem);
    const udp = await udpEchoSamples();
    const connect = summarize(quic.connect);
    const tlsConnect = summarize(tls.connect);
    const ping = summarize(quic.ping);
    const tlsEcho = summarize(tls.echo);
    const result = {
      schema: 1,
      benchmark: 'control-plane',
      generatedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: process.platform,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '?',
      },
      library: '@matrixai/quic',
      connections: CONNECTIONS,
      pings: PINGS,
      quic: {
        connect,
        register_rtt: summarize(quic.register),
        connect_and_register: summarize(quic.toToken),
        ping_rtt: ping,
      },
      baselines: {
        tcp_tls13_connect: tlsConnect,
        tls_echo_rtt: tlsEcho,
        udp_echo_rtt: summarize(udp),
      },
      ratios: {
        connect_p50_vs_tls: Math.round((connect.p50_ms / tlsConnect.p50_ms) * 100) / 100,
        ping_p50_vs_tls_echo: Math.round((ping.p50_ms / tlsEcho.p50_ms) * 100) / 100,
      },
      control_server: server.stats(),
      durationS: Math.round((Date.now() - t0) / 100) / 10,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
