// Sends `count` datagrams "<tag>-<i>" from 0.0.0.0:<sport> to <host>:<port>; prints {"reply"} lines
// for what comes back within <waitMs>, then {"done"}.
import dgram from 'node:dgram';

const [sport, host, port, tag, count, waitMs] = process.argv.slice(2);
const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  console.log(JSON.stringify({ reply: msg.toString('utf8'), from: `${rinfo.address}:${rinfo.port}` }));
});
socket.bind(Number(sport), '0.0.0.0', () => {
  for (let i = 0; i < Number(count); i++) socket.send(`${tag}-${i}`, Number(port), host);
  setTimeout(() => {
    console.log(JSON.stringify({ done: true }));
    socket.close();
  }, Number(waitMs));
});
