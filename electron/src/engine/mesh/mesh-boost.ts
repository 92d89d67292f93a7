/**
 * A boost through the relay mesh (`lightspeed boost … --exit NODE_ID|auto`): a local UDP port the game
 * talks to, one MeshSession per game socket (the exit keys sessions by id, so each game socket keeps its own
 * game-server-facing socket at the exit), replies back to the game socket they belong to. With `auto` the
 * exit is chosen at start (exit-choice.ts) by asking the entries which exits their mesh offers.
 */
import dgram from 'node:dgram';

import { resolveIpv4 } from '../resolve.js';
import { askExits, chooseExit, type ExitChoice } from './exit-choice.js';
import { MeshSession, type MeshEntry } from './mesh-session.js';

/** `exit: 'auto'` and no entry answered as a mesh node: the caller keeps the single-relay path. */
export class NotAMeshError extends Error {
  constructor() {
    super('no entry answered as a mesh node');
  }
}

export interface MeshBoostOptions {
  server: { host: string; port: number };
  /** Entry relays in order; `token`: the one its control plane issued (tokens are per relay). */
  entries: { host: string; port: number; token?: number | undefined }[];
  /** The exit's node id, or 'auto' (the entries are asked; see exit-choice.ts). */
  exit: string;
  localPort?: number;
  token?: number;
  keepaliveMs?: number;
  failoverMisses?: number;
  multipath?: boolean;
  onEntryChange?: (game: string, from: MeshEntry | null, to: MeshEntry | null) => void;
}

export interface MeshBoostStats {
  sessions: number;
  sent: number;
  delivered: number;
  duplicatesDropped: number;
  failovers: number;
  /** Moves to a better entry. */
  moves: number;
  active: string[];
  /** The exit sessions use (the chosen one with 'auto'). */
  exit: string;
}

export class MeshBoost {
  private readonly local = dgram.createSocket('udp4');
  private readonly sessions = new Map<string, MeshSession>();
  private readonly opening = new Map<string, Promise<void>>();
  private entries: MeshEntry[] = [];
  private serverIp = 0;
  private stopped = false;
  localPort = 0;
  /** The exit sessions use. */
  exit: string;
  /** How 'auto' chose it (null when the exit was named). */
  exitChoice: ExitChoice | null = null;

  constructor(private readonly o: MeshBoostOptions) {
    this.exit = o.exit;
  }

  async start(): Promise<number> {
    const server = await resolveIpv4(this.o.server.host, this.o.server.port);
    this.serverIp = server.ip;
    this.entries = await Promise.all(
      this.o.entries.map(async (e) => {
        const r = await resolveIpv4(e.host, e.port);
        return { name: `${e.host}:${e.port}`, host: r.address, port: r.port, token: e.token };
      }),
    );
    if (this.o.exit === 'auto') {
      // The first entry that answers speaks for the mesh (every node holds the whole matrix).
      for (const entry of this.entries) {
        const exits = await askExits({ entry, serverIp: this.serverIp, serverPort: this.o.server.port });
        if (this.stopped) return 0;
        this.exitChoice = exits === null ? null : chooseExit(exits);
        if (this.exitChoice !== null) break;
      }
      if (this.exitChoice === null) throw new NotAMeshError();
      this.exit = this.exitChoice.exit;
    }
    this.local.on('message', (msg, rinfo) => void this.fromGame(msg, rinfo));
    this.local.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.local.once('error', reject);
      this.local.bind(this.o.localPort ?? 0, '127.0.0.1', () => {
        this.local.off('error', reject);
        resolve();
      });
    });
    this.localPort = this.local.address().port;
    return this.localPort;
  }

  private async fromGame(msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    if (this.stopped) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = this.sessions.get(key);
    if (s === undefined) {
      s = new MeshSession({
        entries: this.entries,
        exit: this.exit,
        serverIp: this.serverIp,
        serverPort: this.o.server.port,
        ...(this.o.token !== undefined && { token: this.o.token }),
        ...(this.o.keepaliveMs !== undefined && { keepaliveMs: this.o.keepaliveMs }),
        ...(this.o.failoverMisses !== undefined && { failoverMisses: this.o.failoverMisses }),
        multipath: this.o.multipath === true,
        deliver: (payload) => {
          if (!this.stopped) this.local.send(payload, rinfo.port, rinfo.address);
        },
        onEntryChange: (from, to) => this.o.onEntryChange?.(key, from, to),
      });
      this.sessions.set(key, s);
      this.opening.set(
        key,
        s.open().finally(() => this.opening.delete(key)),
      );
    }
    // Packets that arrive while the session's socket binds wait for it, in order.
    const opening = this.opening.get(key);
    if (opening !== undefined) await opening;
    s.send(msg);
  }

  /** The resolved entries, in order (names are `host:port` as given). */
  entryList(): MeshEntry[] {
    return this.entries;
  }

  /** Keepalive RTT (ms) of the first game socket's active entry, null before one answered. */
  rttMs(): number | null {
    for (const s of this.sessions.values()) return s.activeRttMs();
    return null;
  }

  /** Unanswered share of the first game socket's active entry's last keepalives; null before any. */
  keepaliveLoss(): number | null {
    for (const s of this.sessions.values()) return s.keepaliveLoss();
    return null;
  }

  /** Replies received and missing (gaps in the exits' sequences) over every game socket since the last call. */
  takeDownCounts(): { received: number; lost: number } {
    const out = { received: 0, lost: 0 };
    for (const s of this.sessions.values()) {
      const c = s.takeDownCounts();
      out.received += c.received;
      out.lost += c.lost;
    }
    return out;
  }

  stats(): MeshBoostStats {
    const out: MeshBoostStats = {
      sessions: this.sessions.size,
      sent: 0,
      delivered: 0,
      duplicatesDropped: 0,
      failovers: 0,
      moves: 0,
      active: [],
      exit: this.exit,
    };
    for (const s of this.sessions.values()) {
      out.sent += s.stats.sent;
      out.delivered += s.stats.delivered;
      out.duplicatesDropped += s.stats.duplicatesDropped;
      out.failovers += s.stats.failovers;
      out.moves += s.stats.moves;
      for (const a of s.stats.active) if (!out.active.includes(a)) out.active.push(a);
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    await new Promise<void>((resolve) => this.local.close(() => resolve()));
  }
}
