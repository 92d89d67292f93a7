// Runs inside a test network namespace: opens the divert socket with the built addon (argv[2]), prints
// {"port"} and then, per datagram, {"datagram": ...}, and echoes each back as "reply:<payload>" from the
// original destination. Prints {"stats"} and exits on "close" from stdin.
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)(process.argv[2]);
const socket = new native.DivertSocket(
  process.argv[3] ?? '127.0.0.1',
  0,
  (batch) => {
    for (const d of batch) {
      const text = d.payload.toString('utf8');
      const ok = socket.sendFrom(d.dstIp, d.dstPort, d.srcIp, d.srcPort, Buffer.from(`reply:${text}`));
      console.log(JSON.stringify({ datagram: { ...d, payload: text }, replied: ok }));
    }
  },
  (error) => console.log(JSON.stringify({ error: error.message })),
);
console.log(JSON.stringify({ port: socket.port }));
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.includes('close')) {
    console.log(JSON.stringify({ stats: socket.stats() }));
    socket.close();
    process.stdin.destroy();
  }
});
