// A game stand-in for namespace tests: one UDP socket sending a numbered datagram to SERVER every
// INTERVAL ms. stdin lines:
//   report     one JSON line for the traffic since the last report: sent, replies, the addresses replies
//              came from, and the addresses the server said it saw
//   newsocket  close the socket and carry on from a new one (a new local port), as a game does between
//              matchmaking and the match
// Usage: node game.mjs SERVER_HOST SERVER_PORT INTERVAL_MS
import dgram from 'node:dgram';
import readline from 'node:readline';

const [host, port, interval] = process.argv.slice(2);
let seq = 0;
let window = { sent: 0, replies: 0, from: {}, seen: {} };
let sock = null;

function open(onReady) {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    const text = msg.toString();
    const bar = text.indexOf('|');
    const from = `${rinfo.address}:${rinfo.port}`;
    const seen = bar < 0 ? '?' : text.slice(0, bar).replace(/:\d+$/, '');
    window.replies++;
    window.from[from] = (window.from[from] ?? 0) + 1;
    window.seen[seen] = (window.seen[seen] ?? 0) + 1;
  });
  s.bind(0, () => {
    sock = s;
    onReady(s.address().port);
  });
}

open((port0) => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: port0 })}\n`);
  setInterval(() => {
    if (sock === null) return;
    const payload = Buffer.alloc(200, 0x61);
    payload.writeUInt32BE(seq++, 0);
    sock.send(payload, Number(port), host);
    window.sent++;
  }, Number(interval));
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'report') {
    process.stdout.write(`${JSON.stringify(window)}\n`);
    window = { sent: 0, replies: 0, from: {}, seen: {} };
  } else if (cmd === 'newsocket') {
    const old = sock;
    sock = null;
    old?.close();
    open((p) => process.stdout.write(`${JSON.stringify({ newsocket: true, port: p })}\n`));
  }
});
process.on('SIGTERM', () => process.exit(0));
