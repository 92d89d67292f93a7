// A game stand-in for namespace tests: one UDP socket sending a numbered datagram to SERVER every
// INTERVAL ms. On each stdin line `report` it prints one JSON line for the traffic since the last
// report: sent, replies, the addresses replies came from, and the addresses the server said it saw.
// Usage: node game.mjs SERVER_HOST SERVER_PORT INTERVAL_MS
import dgram from 'node:dgram';
import readline from 'node:readline';

const [host, port, interval] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
let seq = 0;
let window = { sent: 0, replies: 0, from: {}, seen: {} };
sock.on('message', (msg, rinfo) => {
  const text = msg.toString();
  const bar = text.indexOf('|');
  const from = `${rinfo.address}:${rinfo.port}`;
  const seen = bar < 0 ? '?' : text.slice(0, bar).replace(/:\d+$/, '');
  window.replies++;
  window.from[from] = (window.from[from] ?? 0) + 1;
  window.seen[seen] = (window.seen[seen] ?? 0) + 1;
});
sock.bind(0, () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: sock.address().port })}\n`);
  setInterval(() => {
    const payload = Buffer.alloc(200, 0x61);
    payload.writeUInt32BE(seq++, 0);
    sock.send(payload, Number(port), host);
    window.sent++;
  }, Number(interval));
});
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'report') return;
  process.stdout.write(`${JSON.stringify(window)}\n`);
  window = { sent: 0, replies: 0, from: {}, seen: {} };
});
process.on('SIGTERM', () => process.exit(0));
