// Sends `count` datagrams "<tag>-<i>" from 0.0.0.0:<sport> to <host>:<port>; prints {"reply"} lines
// for what comes back within <waitMs>, {"sent"} once the kernel has them all, then {"done"}.
import dgram from 'node:dgram';

const [sport, host, port, tag, count, waitMs] = process.argv.slice(2);
// A big receive buffer: the flood test gets its 300 replies in one burst.
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
socket.on('message', (msg, rinfo) => {
  console.log(JSON.stringify({ reply: msg.toString('utf8'), from: `${rinfo.address}:${rinfo.port}` }));
});
socket.bind(Number(sport), '0.0.0.0', () => {
  let pending = Number(count);
  for (let i = 0; i < Number(count); i++) {
    socket.send(`${tag}-${i}`, Number(port), host, () => {
      if (--pending === 0) console.log(JSON.stringify({ sent: true }));
    });
  }
  setTimeout(() => {
    console.log(JSON.stringify({ done: true }));
    socket.close();
  }, Number(waitMs));
});
