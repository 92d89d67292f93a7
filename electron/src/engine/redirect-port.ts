/**
 * Redirect mode: a UDP port on 127.0.0.1 standing in for a game server. Whatever a game sends here goes
 * into the tunnel; replies come back from this same port, so the game sees the address it talked to.
 */
import dgram from 'node:dgram';

import { parseIpv4 } from '@lightspeed/shared';

import type { GameKey } from './relay-link.js';

export class RedirectPort {
  private readonly socket = dgram.createSocket('udp4');
  private boundPort = 0;

  constructor(
    readonly route: number,
    private readonly onPacket: (key: GameKey, payload: Uint8Array) => void,
  ) {
    this.socket.on('message', (msg, rinfo) => {
      const ip = parseIpv4(rinfo.address);
      if (ip === null) return;
      this.onPacket({ route, address: rinfo.address, ip, port: rinfo.port }, msg);
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
  reply(key: GameKey, payload: Uint8Array): void {
    this.socket.send(payload, key.port, key.address);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // not bound or already closed
    }
  }
}
