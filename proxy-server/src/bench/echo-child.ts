/** Benchmark child: a UDP echo game server on 127.0.0.1; sends {port} over IPC once bound. */
import { createSocket } from 'node:dgram';

const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.on('error', () => undefined);
socket.bind(0, '127.0.0.1', () => {
  for (const set of [() => socket.setRecvBufferSize(4 << 20), () => socket.setSendBufferSize(4 << 20)]) {
    try {
      set();
    } catch {
      // capped by the kernel
    }
  }
  process.send!({ port: socket.address().port });
});
process.on('disconnect', () => process.exit(0));
