// A game stand-in for namespace tests: one UDP socket sending a numbered datagram to SERVER every
// INTERVAL ms. stdin lines:
//   report     one JSON line for the traffic since the last report: sent, replies, the addresses replies
//              came from, the addresses the server said it saw (`seen`: IP only; `seenAt`: IP:port),
//              `dups`: replies to a datagram already answered, and `lost`: datagrams sent over a second
//              before the report that were never answered (each counted once, in the first report
//              after its second is up: exact under load, unlike sent − replies)
//   newsocket  close the socket and carry on from a new one (a new local port), as a game does between
//              matchmaking and the match
// Usage: node game.mjs SERVER_HOST SERVER_PORT INTERVAL_MS
import dgram from 'node:dgram';
import readline from 'node:readline';

const [host, port, interval] = process.argv.slice(2);
let seq = 0;
const fresh = () => ({ sent: 0, replies: 0, from: {}, seen: {}, seenAt: {}, dups: 0, lost: 0 });
let window = fresh();
/** Sequence numbers answered lately (a bounded set: the game sends ~100 a second). */
const answered = new Set();
/** Sequence number → send time of datagrams not answered yet. */
const pending = new Map();
let sock = null;

function open(onReady) {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    const text = msg.toString();
    const bar = text.indexOf('|');
    const from = `${rinfo.address}:${rinfo.port}`;
    const seenAt = bar < 0 ? '?' : text.slice(0, bar);
    const seen = seenAt.replace(/:\d+$/, '');
    if (bar >= 0 && msg.length >= bar + 5) {
      const n = msg.readUInt32BE(bar + 1);
      if (answered.has(n)) window.dups++;
      pending.delete(n);
      answered.add(n);
      if (answered.size > 10000) answered.delete(answered.values().next().value);
    }
    window.seenAt[seenAt] = (window.seenAt[seenAt] ?? 0) + 1;
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
    pending.set(seq, Date.now());
    payload.writeUInt32BE(seq++, 0);
    sock.send(payload, Number(port), host);
    window.sent++;
  }, Number(interval));
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'report') {
    const now = Date.now();
    for (const [n, at] of pending) {
      if (now - at <= 1000) break; // in send order: the rest are younger
      pending.delete(n);
      window.lost++;
    }
    process.stdout.write(`${JSON.stringify(window)}\n`);
    window = fresh();
  } else if (cmd === 'newsocket') {
    const old = sock;
    sock = null;
    old?.close();
    open((p) => process.stdout.write(`${JSON.stringify({ newsocket: true, port: p })}\n`));
  }
});
process.on('SIGTERM', () => process.exit(0));
