// A game server stand-in for namespace tests: answers each datagram with `<source it saw>|<payload>`,
// so the sender learns which address reached the server. Usage: node seen-echo.mjs HOST PORT
import dgram from 'node:dgram';

const [host, port] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  sock.send(Buffer.concat([Buffer.from(`${rinfo.address}:${rinfo.port}|`), msg]), rinfo.port, rinfo.address);
});
sock.bind(Number(port), host, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
