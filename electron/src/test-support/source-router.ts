/** A UDP "game server" front for loopback tests that routes by who sends (a slow path for one relay). */
import dgram from 'node:dgram';

/**
 * The "game server" address: datagrams from `slowSource` (relay A's upstream address) go to the echo
 * server through `slow`, everything else straight to the echo server; replies go back the same way.
 * `seen` is told of every datagram that arrives, with its sender's address.
 */
export async function sourceRouter(
  echoPort: number,
  slowSource: string,
  slowPort: number,
  seen?: (msg: Buffer, from: string) => void,
): Promise<{ port: number; close(): void }> {
  const front = dgram.createSocket('udp4');
  const back = new Map<string, dgram.Socket>();
  front.on('message', (msg, rinfo) => {
    seen?.(msg, rinfo.address);
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = back.get(key);
    if (s === undefined) {
      const sock = dgram.createSocket('udp4');
      sock.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      sock.bind(0, '127.0.0.1');
      back.set(key, sock);
      s = sock;
    }
    s.send(msg, rinfo.address === slowSource ? slowPort : echoPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    close: () => {
      front.close();
      for (const s of back.values()) s.close();
    },
  };
}
