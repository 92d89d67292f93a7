/**
 * The baseline a relay hop is compared with: a plain UDP forwarder, one upstream socket per client,
 * no header, no FEC, no checks.
 */
import dgram from 'node:dgram';

export class NaiveForwarder {
  private readonly socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  private readonly upstreams = new Map<string, dgram.Socket>();
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on 127.0.0.1 (any free port) and forwards to `targetHost:targetPort`. */
  static async start(targetHost: string, targetPort: number): Promise<NaiveForwarder> {
    const f = new NaiveForwarder(targetHost, targetPort);
    f.socket.on('message', (msg, rinfo) => f.onClient(msg, rinfo));
    await new Promise<void>((resolve) => f.socket.bind({ address: '127.0.0.1', port: 0 }, () => resolve()));
    f.port = f.socket.address().port;
    return f;
  }

  private onClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = this.upstreams.get(key);
    if (up === undefined) {
      up = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
      up.on('message', (reply) => this.socket.send(reply, rinfo.port, rinfo.address));
      up.bind({ address: '127.0.0.1', port: 0 });
      this.upstreams.set(key, up);
    }
    up.send(msg, this.targetPort, this.targetHost);
  }

  async stop(): Promise<void> {
    const all = [this.socket, ...this.upstreams.values()];
    this.upstreams.clear();
    await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
