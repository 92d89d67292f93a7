/**
 * Benchmark baseline: the simplest correct Node UDP forwarder. One socket for clients, one upstream
 * socket per client so replies map back, raw payloads (no tunnel header), no checks. Target port in argv.
 */
import { createSocket, type Socket } from 'node:dgram';

const target = Number(process.argv[2]);
const sock = createSocket('udp4');
const upstreams = new Map<string, Socket>();
sock.on('message', (msg, rinfo) => {
  const key = `${rinfo.address}:${rinfo.port}`;
  let up = upstreams.get(key);
  if (!up) {
    up = createSocket('udp4');
    up.on('message', (reply) => sock.send(reply, rinfo.port, rinfo.address));
    up.on('error', () => undefined);
    up.bind(0, '127.0.0.1');
    upstreams.set(key, up);
  }
  up.send(msg, target, '127.0.0.1');
});
sock.on('error', () => undefined);
sock.bind(0, '127.0.0.1', () => {
  // Same client-facing buffers as the relay, so the comparison is about the forwarding code.
  for (const set of [() => sock.setRecvBufferSize(4 << 20), () => sock.setSendBufferSize(4 << 20)]) {
    try {
      set();
    } catch {
      // capped by the kernel
    }
  }
  process.send!({ port: sock.address().port });
});
process.on('message', (msg) => {
  if (msg === 'cpu') process.send!(process.cpuUsage()); // µs, for the CPU-per-round-trip comparison
});
process.on('disconnect', () => process.exit(0));
