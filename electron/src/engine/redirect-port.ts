/**
 * Redirect mode: a UDP port on 127.0.0.1 standing in for a game server. Whatever a game sends here goes
 * into the tunnel; replies come back from this same port, so the game sees the address it talked to.
 */
import dgram from 'node:dgram';

import { parseIpv4 } from '@lightspeed/shared';

import type { GameKey } from './relay-link.js';
import type { ResolvedEndpoint } from './resolve.js';

/** Game sockets remembered per redirect port before the table is reset (a bound on memory). */
const MAX_GAME_SOCKETS = 4096;

export class RedirectPort {
  private readonly byPort = new Map<number, GameKey>();
  private readonly byAddress = new Map<string, GameKey>();
  private readonly socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  private boundPort = 0;

  constructor(
    readonly route: number,
    readonly server: ResolvedEndpoint,
    private readonly onPacket: (key: GameKey, payload: Uint8Array) => void,
  ) {
    this.socket.on('message', (msg, rinfo) => {
      // Game sockets live on 127.0.0.1 almost always: a numeric lookup by port keeps the per-packet path
      // free of string building and address parsing (at game rates the path runs cold, so less is faster).
      let key =
        rinfo.address === '127.0.0.1'
          ? this.byPort.get(rinfo.port)
          : this.byAddress.get(`${rinfo.address}:${rinfo.port}`);
      if (key === undefined) {
        const ip = parseIpv4(rinfo.address);
        if (ip === null) return;
        const game = { address: rinfo.address, ip, port: rinfo.port };
        key = {
          id: `${route}|${rinfo.address}:${rinfo.port}`,
          game,
          server,
          reply: (payload) => this.reply(game, payload),
          flow: null,
        };
        if (this.byPort.size + this.byAddress.size >= MAX_GAME_SOCKETS) {
          this.byPort.clear();
          this.byAddress.clear();
        }
        if (rinfo.address === '127.0.0.1') this.byPort.set(rinfo.port, key);
        else this.byAddress.set(`${rinfo.address}:${rinfo.port}`, key);
      }
      this.onPacket(key, msg);
    });
    this.socket.on('error', () => {
      // a game socket that went away (ICMP port unreachable) must not take the port down
    });
  }

  /** Binds 127.0.0.1:`port` (0 = any free port) and resolves to the bound port. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: '127.0.0.1', port }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    this.boundPort = this.socket.address().port;
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Sends a reply to a game socket. */
  private reply(game: ResolvedEndpoint, payload: Uint8Array): void {
    this.socket.send(payload, game.port, game.address);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // not bound or already closed
    }
  }
}
