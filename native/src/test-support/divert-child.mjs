// Runs inside a test network namespace: opens the divert socket with the built addon (argv[2]), prints
// {"port"} and then, per datagram, {"datagram": ...}, and echoes each back as "reply:<payload>" from the
// original destination; {"batch": n} before each batch. "stall <file>" on stdin blocks the event loop
// until that file exists. On "close" from stdin prints {"stats"}, closes, prints the open fd counts
// before opening and after closing, and exits.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)(process.argv[2]);
const openFds = () => readdirSync('/proc/self/fd').length;
// stdin and stdout open their own descriptors on first use: count after that.
void process.stdin;
void process.stdout;
const fdsBefore = openFds();
const socket = new native.DivertSocket(
  process.argv[3] ?? '127.0.0.1',
  0,
  (batch) => {
    console.log(JSON.stringify({ batch: batch.length }));
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
  const stall = /stall (\S+)/.exec(text);
  if (stall?.[1]) {
    // Block the event loop until the marker file exists, so that datagrams pile up in the socket's
    // receive queue (20 s at most).
    console.log(JSON.stringify({ stalling: true }));
    const until = Date.now() + 20_000;
    while (!existsSync(stall[1]) && Date.now() < until);
  }
  if (text.includes('close')) {
    console.log(JSON.stringify({ stats: socket.stats() }));
    socket.close();
    // Everything the socket opened (the divert fd, the cached reply sockets) is closed again.
    console.log(JSON.stringify({ fdsBefore, fdsAfter: openFds() }));
    process.stdin.destroy();
  }
});
