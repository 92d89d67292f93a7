import { createSocket, type Socket } from 'node:dgram';

/** A UDP echo "game server" on loopback for tests and benchmarks. */
export interface EchoServer {
  readonly port: number;
  readonly socket: Socket;
  /** Datagrams received so far. */
  received(): number;
  close(): Promise<void>;
}

/** Starts an echo server on 127.0.0.1 (port 0 = any). `transform` may change what is echoed. */
export async function startEchoServer(port = 0, transform?: (msg: Buffer) => Buffer): Promise<EchoServer> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', (msg, rinfo) => {
    count++;
    socket.send(transform ? transform(msg) : msg, rinfo.port, rinfo.address);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    socket,
    received: () => count,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
