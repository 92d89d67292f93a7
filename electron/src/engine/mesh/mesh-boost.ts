/**
 * A boost through the relay mesh (`lightspeed boost|capture … --exit NODE_ID|auto`): game datagrams from
 * a FlowSource — a redirect port on 127.0.0.1, or the game's own traffic in capture mode, the same seam
 * the single-relay engine uses — one MeshSession per game key (game socket and server: the exit keys
 * sessions by id, so each keeps its own game-server-facing socket at the exit), replies handed back to
 * the game through the key. With `auto` the exit is chosen by asking the entries which exits their mesh
 * offers (exit-choice.ts): at start when the server is known (redirect), else for each server at its
 * first datagram (capture finds its servers in the traffic), once per server.
 */
import type { ExitChoice } from './exit-choice.js';
import { askExits, chooseExit } from './exit-choice.js';
import { answersAsMesh } from './mesh-check.js';
import { MeshSession, type MeshEntry } from './mesh-session.js';
import { nowMs } from '../clock.js';
import type { FlowSource } from '../flow-source.js';
import { RedirectSource } from '../redirect-source.js';
import type { GameKey } from '../relay-link.js';
import { resolveIpv4, type ResolvedEndpoint } from '../resolve.js';

/** `exit: 'auto'` and no entry answered as a mesh node: the caller keeps the single-relay path. */
export class NotAMeshError extends Error {
  constructor() {
    super('no entry answered as a mesh node');
  }
}

/** A server no entry offered an exit for is asked about again after this long (its datagrams are dropped meanwhile). */
const EXIT_RETRY_MS = 5000;

export interface MeshBoostOptions {
  /**
   * The game server when it is known before any traffic (redirect mode). Without `source`, a redirect
   * port on 127.0.0.1 (`localPort`, 0 = any) stands in for it.
   */
  server?: { host: string; port: number };
  /** Where game datagrams come from (capture mode: a CaptureSource). */
  source?: FlowSource;
  /** Entry relays in order; `token`: the one its control plane issued (tokens are per relay). */
  entries: { host: string; port: number; token?: number | undefined }[];
  /** The exit's node id, or 'auto' (the entries are asked; see exit-choice.ts). */
  exit: string;
  localPort?: number;
  token?: number;
  keepaliveMs?: number;
  failoverMisses?: number;
  multipath?: boolean;
  /** A game key silent this long loses its mesh session (FIN to the exit). Default 120 s. */
  idleMs?: number;
  /** `game`: the game socket and its server, `host:port → host:port`. */
  onEntryChange?: (game: string, from: MeshEntry | null, to: MeshEntry | null) => void;
  /** The first server's exit is known (at start in redirect mode, at its first datagram in capture). */
  onExit?: (server: ResolvedEndpoint, exit: string) => void;
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
  /** The exit sessions use (the first server's, chosen with 'auto'; 'auto' before it is known). */
  exit: string;
  /** Game datagrams dropped because no entry offered an exit for their server. */
  noExit: number;
}

interface Held {
  session: MeshSession | null;
  /** Resolves once the session's exit is known and its socket bound (null: no exit; dropped). */
  ready: Promise<MeshSession | null>;
  lastMs: number;
}

export class MeshBoost {
  private readonly sessions = new Map<string, Held>();
  private readonly exits = new Map<string, Promise<string | null>>();
  private entries: MeshEntry[] = [];
  private source: FlowSource | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private noExit = 0;
  private exitKnown = false;
  localPort = 0;
  /** The exit sessions use (the first server's with 'auto'). */
  exit: string;
  /** How 'auto' chose it (null when the exit was named, or before the first server's choice). */
  exitChoice: ExitChoice | null = null;

  constructor(private readonly o: MeshBoostOptions) {
    this.exit = o.exit;
    if (o.server === undefined && o.source === undefined)
      throw new Error('a mesh boost needs a server or a source');
  }

  /** Resolves the entries, chooses or checks the exit, opens the source; returns the redirect port (0 in capture). */
  async start(): Promise<number> {
    const server =
      this.o.server === undefined ? null : await resolveIpv4(this.o.server.host, this.o.server.port);
    this.entries = await Promise.all(
      this.o.entries.map(async (e) => {
        const r = await resolveIpv4(e.host, e.port);
        return { name: `${e.host}:${e.port}`, host: r.address, port: r.port, token: e.token };
      }),
    );
    if (this.o.exit === 'auto') {
      if (server !== null) {
        // The first entry that answers speaks for the mesh (every node holds the whole matrix).
        if ((await this.exitFor(server)) === null) {
          if (!this.stopped) throw new NotAMeshError();
          return 0;
        }
      } else if (!(await this.anyMeshEntry())) {
        if (!this.stopped) throw new NotAMeshError();
        return 0;
      }
    } else if (server !== null) this.settled(server, this.o.exit);
    if (this.stopped) return 0;
    const redirect =
      this.o.source === undefined
        ? new RedirectSource([
            {
              server: server!,
              label: `${this.o.server!.host}:${this.o.server!.port}`,
              localPort: this.o.localPort ?? 0,
            },
          ])
        : null;
    this.source = this.o.source ?? redirect!;
    await this.source.open((key, payload) => this.onPacket(key, payload));
    this.localPort = redirect?.boundRoutes()[0]?.localPort ?? 0;
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    return this.localPort;
  }

  /** The resolved entries, in order (names are `host:port` as given). */
  entryList(): MeshEntry[] {
    return this.entries;
  }

  /** Keepalive RTT (ms) of the first game key's active entry, null before one answered. */
  rttMs(): number | null {
    for (const s of this.open()) return s.activeRttMs();
    return null;
  }

  /** Unanswered share of the first game key's active entry's last keepalives; null before any. */
  keepaliveLoss(): number | null {
    for (const s of this.open()) return s.keepaliveLoss();
    return null;
  }

  /** Replies received and missing (gaps in the exits' sequences) over every game key since the last call. */
  takeDownCounts(): { received: number; lost: number } {
    const out = { received: 0, lost: 0 };
    for (const s of this.open()) {
      const c = s.takeDownCounts();
      out.received += c.received;
      out.lost += c.lost;
    }
    return out;
  }

  stats(): MeshBoostStats {
    const out: MeshBoostStats = {
      sessions: 0,
      sent: 0,
      delivered: 0,
      duplicatesDropped: 0,
      failovers: 0,
      moves: 0,
      active: [],
      exit: this.exit,
      noExit: this.noExit,
    };
    for (const s of this.open()) {
      out.sessions++;
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
    if (this.timer) clearInterval(this.timer);
    // The source first: capture gives the game's traffic back before the sessions end.
    await this.source?.close();
    await Promise.all([...this.sessions.values()].map((h) => h.ready.then((s) => s?.close())));
    this.sessions.clear();
  }

  private *open(): Generator<MeshSession> {
    for (const h of this.sessions.values()) if (h.session !== null) yield h.session;
  }

  private onPacket(key: GameKey, payload: Uint8Array): void {
    if (this.stopped) return;
    let h = this.sessions.get(key.id);
    if (h === undefined) {
      h = this.openSession(key);
      this.sessions.set(key.id, h);
    }
    h.lastMs = nowMs();
    if (h.session !== null) h.session.send(payload);
    // Datagrams that arrive while the exit is chosen and the socket binds wait for it, in order.
    else
      void h.ready.then((s) => {
        if (s === null) this.noExit++;
        else s.send(payload);
      });
  }

  private openSession(key: GameKey): Held {
    const label = `${key.game.address}:${key.game.port} → ${key.server.address}:${key.server.port}`;
    const h: Held = { session: null, ready: Promise.resolve(null), lastMs: nowMs() };
    h.ready = this.exitFor(key.server).then(async (exit) => {
      if (exit === null || this.stopped) {
        if (this.sessions.get(key.id) === h) this.sessions.delete(key.id); // the next datagram asks again
        return null;
      }
      const s = new MeshSession({
        entries: this.entries,
        exit,
        serverIp: key.server.ip,
        serverPort: key.server.port,
        ...(this.o.token !== undefined && { token: this.o.token }),
        ...(this.o.keepaliveMs !== undefined && { keepaliveMs: this.o.keepaliveMs }),
        ...(this.o.failoverMisses !== undefined && { failoverMisses: this.o.failoverMisses }),
        multipath: this.o.multipath === true,
        deliver: (payload) => {
          if (!this.stopped) key.reply(payload);
        },
        onEntryChange: (from, to) => this.o.onEntryChange?.(label, from, to),
      });
      await s.open();
      if (this.stopped) {
        await s.close();
        return null;
      }
      h.session = s;
      return s;
    });
    return h;
  }

  /** The exit for a server: the named one, or (auto) the entries' answer, asked once per server. */
  private exitFor(server: ResolvedEndpoint): Promise<string | null> {
    if (this.o.exit !== 'auto') {
      this.settled(server, this.o.exit);
      return Promise.resolve(this.o.exit);
    }
    const k = `${server.address}:${server.port}`;
    let p = this.exits.get(k);
    if (p === undefined) {
      p = this.chooseFor(server).then((choice) => {
        if (choice === null) {
          setTimeout(() => this.exits.delete(k), EXIT_RETRY_MS).unref();
          return null;
        }
        if (this.exitChoice === null) this.exitChoice = choice;
        this.settled(server, choice.exit);
        return choice.exit;
      });
      this.exits.set(k, p);
    }
    return p;
  }

  private async chooseFor(server: ResolvedEndpoint): Promise<ExitChoice | null> {
    for (const entry of this.entries) {
      const exits = await askExits({ entry, serverIp: server.ip, serverPort: server.port });
      if (this.stopped) return null;
      const choice = exits === null ? null : chooseExit(exits);
      if (choice !== null) return choice;
    }
    return null;
  }

  /** Capture with 'auto' and no server yet: is any entry a mesh node at all? */
  private async anyMeshEntry(): Promise<boolean> {
    for (const entry of this.entries) {
      if (await answersAsMesh({ entry })) return true;
      if (this.stopped) return false;
    }
    return false;
  }

  private settled(server: ResolvedEndpoint, exit: string): void {
    if (this.exitKnown) return;
    this.exitKnown = true;
    this.exit = exit;
    this.o.onExit?.(server, exit);
  }

  /** Once a second: the source's housekeeping, and idle game keys' sessions ended (FIN to the exit). */
  private tick(): void {
    this.source?.tick();
    const idleMs = this.o.idleMs ?? 120_000;
    const now = nowMs();
    for (const [id, h] of this.sessions) {
      if (h.session === null || now - h.lastMs <= idleMs) continue;
      this.sessions.delete(id);
      void h.session.close();
    }
  }
}
