// A game stand-in that measures round trips, for namespace benchmarks. One UDP socket for its whole
// life (capture follows a process's sockets). Each stdin line `run HOST PORT COUNT PPS SIZE` sends COUNT
// numbered datagrams of SIZE bytes at PPS and prints one JSON line: {"rtts":[ms...],"lost":N}.
import dgram from 'node:dgram';
import readline from 'node:readline';

const sock = dgram.createSocket('udp4');
let pending = new Map();
let rtts = [];
sock.on('message', (msg) => {
  const bar = msg.indexOf(0x7c); // replies of seen-echo carry "<addr>|" before the payload
  const body = bar >= 0 && bar < 32 ? msg.subarray(bar + 1) : msg;
  if (body.length < 4) return;
  const t = pending.get(body.readUInt32BE(0));
  if (t === undefined) return;
  pending.delete(body.readUInt32BE(0));
  rtts.push(Number(process.hrtime.bigint() - t) / 1e6);
});
let seq = 0;
function run(host, port, count, pps, size) {
  pending = new Map();
  rtts = [];
  let sent = 0;
  const start = process.hrtime.bigint();
  const tick = () => {
    // Paced against the clock, not the timer: late timers send the packets that are due.
    const due = Math.min(count, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * pps) + 1);
    while (sent < due) {
      const payload = Buffer.alloc(size, 0x61);
      payload.writeUInt32BE(seq, 0);
      pending.set(seq, process.hrtime.bigint());
      seq = (seq + 1) >>> 0;
      sock.send(payload, port, host);
      sent++;
    }
    if (sent < count) setTimeout(tick, 1);
    else
      setTimeout(() => {
        process.stdout.write(`${JSON.stringify({ rtts, lost: pending.size })}\n`);
      }, 300);
  };
  tick();
}
sock.bind(0, () => process.stdout.write(`${JSON.stringify({ ready: true, port: sock.address().port })}\n`));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, host, port, count, pps, size] = line.trim().split(/\s+/);
  if (cmd === 'run') run(host, Number(port), Number(count), Number(pps), Number(size));
});
process.on('SIGTERM', () => process.exit(0));
