/**
 * A UDP echo server: the simplest stand-in for a game server. It echoes everything, and counts the
 * engine's light request probes (`LSDG`…, diagnose and the live direct comparison) apart from the game's
 * datagrams, so a test can still say "the server saw exactly the game's packets".
 */
import dgram from 'node:dgram';

const PROBE_MAGIC = 0x4c534447; // 'LSDG'

export class EchoServer {
  private readonly socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  port = 0;
  /** Datagrams echoed, light probes left out. */
  packets = 0;
  /** Distinct client address:port pairs seen, light probes' left out. */
  readonly peers = new Set<string>();
  /** Light probes echoed. */
  probes = 0;

  /** Binds `host:port` (port 0 = any free port) and starts echoing. */
  static async start(host = '127.0.0.1', port = 0): Promise<EchoServer> {
    const server = new EchoServer();
    await server.listen(host, port);
    return server;
  }

  private async listen(host: string, port: number): Promise<void> {
    this.socket.on('error', () => {});
    this.socket.on('message', (msg, rinfo) => {
      if (msg.length >= 8 && msg.readUInt32BE(0) === PROBE_MAGIC) this.probes++;
      else {
        this.packets++;
        this.peers.add(`${rinfo.address}:${rinfo.port}`);
      }
      this.socket.send(msg, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.socket.bind({ address: host, port }, () => resolve()));
    this.port = this.socket.address().port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
