import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

import {
  LEG_PENDING,
  LEG_UNKNOWN,
  MESH_CLIENT_HEADER_LEN,
  MESH_EXITS_MAX_VIA,
  MESH_STATUS_EXITS_COMPLETE,
  MeshKind,
  encodeMeshClientFrame,
  encodeMeshExits,
  meshSessionKey,
  type MeshClientFrame,
} from '@lightspeed/shared';
import type { Logger } from 'pino';

import type { MeshConfig } from './mesh-config.js';
import { MeshSealer, ReplayWindow, directionKey, openFrame, randomPrefix } from './mesh-crypto.js';
import {
  MESH_TTL,
  MsgType,
  decodeMessage,
  encodeMessage,
  type LsaEntry,
  type MeshMessage,
} from './mesh-frame.js';
import { parseMeshPsk } from './mesh-psk.js';
import { MeshDrop, MeshStats } from './mesh-stats.js';
import { ExitLegs } from './exit-legs.js';
import { MeshEntries } from './mesh-entry.js';
import { MeshExits } from './mesh-exit.js';
import { HopFec, MSG_FEC } from './hop-fec.js';
import { LinkEstimate, shortestPaths } from './link-state.js';
import type { SessionAuthority } from '../auth/session-authority.js';
import { parseIpv4BindAddress } from '../config/bind-address.js';
import { literalLookup } from '../relay/upstream-pool.js';
import type { ServerLegs } from '../relay/server-legs.js';
import type { DestinationPolicy } from '../security/destination-policy.js';

/** A PING unanswered for this many probe intervals counts as lost (the link's down rule: link-state.ts). */
export const LINK_DEAD_PROBES = 3;
/** Hop FEC runs while a probe of the link was lost this recently (or the peer reports loss). */
export const HOP_FEC_HOLD_MS = 30_000;
/** ... or while the loss the peer reports for the hop is at least this. */
const HOP_FEC_MIN_REPORTED_LOSS = 0.001;
/** A flooded LSA is forgotten after this many probe intervals without a newer one. */
const LSA_EXPIRY_PROBES = 6;

export interface MeshNodeOptions {
  nodeId: string;
  region: string;
  mesh: MeshConfig;
  policy: DestinationPolicy;
  logger: Logger;
  requireAuth: boolean;
  authority?: SessionAuthority | undefined;
  /** Host the exit's game-server-facing sockets bind to. */
  upstreamHost: string;
  pps: number;
  bps: number;
  maxSessions: number;
  /** Entry sessions one client IP may hold (security.max_sessions_per_ip); default 16. */
  maxSessionsPerIp?: number | undefined;
  maxDestinations: number;
  sessionTimeoutMs: number;
  /** Sends a datagram to a client from the relay's data port. */
  sendToClient(data: Uint8Array, port: number, host: string): void;
  /** The relay's measured legs to game servers (the data plane's; exit sessions add theirs). */
  serverLegs?: (() => ServerLegs | null) | undefined;
}

interface Peer {
  id: string;
  host: string;
  port: number;
  sealer: MeshSealer;
  recvKey: Buffer;
  window: ReplayWindow;
  link: LinkEstimate;
  pingSeq: number;
  /** PINGs not yet answered: seq → send time. One unanswered for 3 intervals counts as lost. */
  pending: Map<number, number>;
  /**
   * Hop FEC both ways (hop-fec.ts): session messages to this peer and from it. Per run of the peer: a new
   * authenticated epoch (the peer restarted) replaces it, as the peer's new stream starts its ids again.
   */
  fec: HopFec;
  /** When a probe of this link was last lost. */
  lossAt: number;
}

export interface MeshLinkStatus {
  node_id: string;
  addr: string;
  up: boolean;
  rtt_ms: number | null;
  loss: number;
  /** Hop FEC: the loss the peer reports for our direction of the link (what sizes our repairs). */
  fec_loss: number;
  /** Hop FEC: session messages from this peer rebuilt from repairs. */
  fec_recovered: number;
}

/**
 * One relay's place in the mesh: the sealed inter-relay socket, PING/PONG per link, link-state flooding of
 * the latency matrix, Dijkstra routes, hop FEC, forwarding, and the EXITS answer; the entry and exit ends
 * of mesh sessions are `MeshEntries` (mesh-entry.ts) and `MeshExits` (mesh-exit.ts) (docs/mesh.md).
 */
export class MeshNode {
  readonly stats = new MeshStats();
  readonly nodeId: string;
  private readonly socket: Socket;
  private readonly peers = new Map<string, Peer>();
  private readonly matrix = new Map<string, { lsaSeq: number; at: number; entries: LsaEntry[] }>();
  private routes = new Map<string, { path: string[]; cost: number }>();
  private readonly entries: MeshEntries;
  private readonly exits: MeshExits;
  private readonly legs = new ExitLegs();
  private readonly interval: number;
  private timer: NodeJS.Timeout | null = null;
  private lsaSeq = Math.floor(Date.now() / 100) >>> 0;
  private stopped = false;
  private lastErrorLog = 0;

  constructor(private readonly o: MeshNodeOptions) {
    this.nodeId = o.nodeId;
    this.interval = o.mesh.probe_interval_ms;
    const epoch = Date.now();
    const prefix = randomPrefix();
    for (const p of o.mesh.peers ?? []) {
      const psk = parseMeshPsk(p.key);
      const addr = parseIpv4BindAddress(p.addr);
      if (typeof psk === 'string' || typeof addr === 'string') throw new Error(`bad peer ${p.node_id}`);
      const peer: Peer = {
        id: p.node_id,
        host: addr.host,
        port: addr.port,
        sealer: new MeshSealer(directionKey(psk, o.nodeId, p.node_id), o.nodeId, epoch, prefix),
        recvKey: directionKey(psk, p.node_id, o.nodeId),
        window: new ReplayWindow(),
        link: new LinkEstimate(),
        pingSeq: 0,
        pending: new Map(),
        fec: null as unknown as HopFec,
        lossAt: -Infinity,
      };
      peer.fec = this.hopFec(peer);
      this.peers.set(p.node_id, peer);
    }
    this.exits = new MeshExits({
      ...o,
      stats: this.stats,
      stopped: () => this.stopped,
      logError: (m, err) => this.logError(m, err),
      // Each reply goes back through the entry it names: this node, or along the mesh.
      reply: (entry, reply) => (entry === this.nodeId ? this.entries.reply(reply) : this.relay(entry, reply)),
    });
    this.entries = new MeshEntries({
      ...o,
      clientFec: o.mesh.fec,
      stats: this.stats,
      reachable: (node) => node === this.nodeId || this.reachable(node),
      exits: (f, rinfo, size, now) => this.answerExits(f, rinfo, size, now),
      // Toward the exit: this node's own exit end, or the next hop (TTL one more: relay() takes one off).
      toExit: (msg, now) => {
        if (msg.exit !== this.nodeId) this.relay(msg.exit, { ...msg, ttl: MESH_TTL + 1 });
        else if (msg.type === MsgType.DATA) this.exits.data(msg, now);
        else this.exits.close(meshSessionKey(msg.sessionId));
      },
    });
    this.socket = createSocket({ type: 'udp4', lookup: literalLookup });
    this.socket.on('message', this.onMeshMessage);
    this.socket.on('error', (err) => {
      this.stats.drops[MeshDrop.ERROR]!++;
      this.logError('mesh socket error', err);
    });
  }

  /** Binds the mesh socket and starts probing; resolves to the bound port. */
  async start(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: host, port }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    this.tick();
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
    return this.socket.address().port;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.exits.closeAll();
    this.entries.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  // ---- control: probes, link state, routes -------------------------------------------------------

  private tick(): void {
    if (this.stopped) return;
    const now = performance.now();
    for (const p of this.peers.values()) {
      for (const [seq, sent] of p.pending) {
        if (now - sent < this.deadAfterMs) continue;
        p.pending.delete(seq);
        // Before the first PONG the peer may simply not be up yet: that is not loss on the link.
        if (p.link.rttMs >= 0) {
          p.link.missed();
          p.lossAt = now;
        }
      }
      p.pending.set(p.pingSeq, now);
      this.send(p, { type: MsgType.PING, seq: p.pingSeq, time: now });
      p.pingSeq = (p.pingSeq + 1) >>> 0;
    }
    const own: LsaEntry[] = [];
    for (const p of this.peers.values()) {
      if (p.link.up(now, this.interval)) {
        own.push({ peer: p.id, rttUs: p.link.rttMs * 1000, lossBp: p.link.loss * 10000 });
      }
    }
    this.lsaSeq = (this.lsaSeq + 1) >>> 0;
    this.matrix.set(this.nodeId, { lsaSeq: this.lsaSeq, at: now, entries: own });
    for (const [origin, lsa] of this.matrix) {
      if (origin !== this.nodeId && now - lsa.at > this.interval * LSA_EXPIRY_PROBES)
        this.matrix.delete(origin);
    }
    // Gossip: every known advertisement to every peer, every interval (meshes are small; losses heal next time).
    for (const [origin, lsa] of this.matrix) {
      const msg: MeshMessage = { type: MsgType.LSA, origin, lsaSeq: lsa.lsaSeq, entries: lsa.entries };
      for (const p of this.peers.values()) if (p.id !== origin) this.send(p, msg);
    }
    this.recomputeRoutes();
    for (const p of this.peers.values()) p.fec.tick(now);
    this.sweep(now);
  }

  private get deadAfterMs(): number {
    return this.interval * LINK_DEAD_PROBES;
  }

  private recomputeRoutes(): void {
    const m = new Map<string, LsaEntry[]>();
    for (const [origin, lsa] of this.matrix) m.set(origin, lsa.entries);
    this.routes = shortestPaths(this.nodeId, m);
  }

  /** The next node on the path to `dest`, null when unreachable (or `dest` is this node). */
  nextHop(dest: string): Peer | null {
    const path = this.routes.get(dest)?.path;
    const hop = path?.[1];
    return hop === undefined ? null : (this.peers.get(hop) ?? null);
  }

  /** Paths to every reachable node, [this node, …, node]. */
  routeTable(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [node, r] of [...this.routes].sort(([a], [b]) => (a < b ? -1 : 1))) out[node] = r.path;
    return out;
  }

  reachable(node: string): boolean {
    return this.routes.has(node);
  }

  links(): MeshLinkStatus[] {
    const now = performance.now();
    return [...this.peers.values()].map((p) => ({
      node_id: p.id,
      addr: `${p.host}:${p.port}`,
      up: p.link.up(now, this.interval),
      rtt_ms: p.link.rttMs < 0 ? null : round3(p.link.rttMs),
      loss: round3(p.link.loss),
      fec_loss: round3(p.fec.reportedLoss ?? 0),
      fec_recovered: p.fec.stats().recovered,
    }));
  }

  /** The whole matrix as this node holds it: node → neighbour → { rtt_ms, loss }. */
  matrixTable(): Record<string, Record<string, { rtt_ms: number; loss: number }>> {
    const out: Record<string, Record<string, { rtt_ms: number; loss: number }>> = {};
    for (const [origin, lsa] of this.matrix) {
      const row: Record<string, { rtt_ms: number; loss: number }> = {};
      for (const e of lsa.entries) row[e.peer] = { rtt_ms: round3(e.rttUs / 1000), loss: e.lossBp / 10000 };
      out[origin] = row;
    }
    return out;
  }

  flows(): { entry: number; exit: number; sessions: Record<string, unknown>[] } {
    const sessions = [...this.entries.flows(), ...this.exits.flows()];
    return { entry: this.entries.size, exit: this.exits.size, sessions };
  }

  // ---- the mesh socket ---------------------------------------------------------------------------

  private send(p: Peer, msg: MeshMessage): void {
    this.sealAndSend(p, encodeMessage(msg));
  }

  /**
   * DATA / REPLY / FIN: through the hop's FEC (hop-fec.ts) while the hop shows loss — a probe lost in the
   * last HOP_FEC_HOLD_MS, or the peer's reports — as Entrouter's table has no FEC at no loss; bare on a
   * clean hop (and with `[mesh] fec = false`).
   */
  private sendSession(p: Peer, msg: MeshMessage): void {
    const bytes = encodeMessage(msg);
    const now = performance.now();
    const lossy = now - p.lossAt < HOP_FEC_HOLD_MS || (p.fec.reportedLoss ?? 0) >= HOP_FEC_MIN_REPORTED_LOSS;
    if (this.o.mesh.fec && lossy && HopFec.fits(bytes)) p.fec.send(bytes, now);
    else this.sealAndSend(p, bytes);
  }

  /** Hop-FEC repair datagrams sent to all peers. */
  fecRepairs(): number {
    let n = 0;
    for (const p of this.peers.values()) n += p.fec.stats().repairs;
    return n;
  }

  /** A fresh hop FEC for `peer` (at start, and whenever the peer starts a new epoch). */
  private hopFec(peer: Peer): HopFec {
    return new HopFec(
      (m) => this.sealAndSend(peer, m),
      (inner, recovered) => {
        if (recovered) this.stats.fecRecovered++;
        this.dispatch(peer, decodeMessage(inner), performance.now(), true);
      },
    );
  }

  private sealAndSend(p: Peer, plaintext: Uint8Array): void {
    const frame = p.sealer.seal(plaintext);
    this.stats.meshOutPackets++;
    this.stats.meshOutBytes += frame.length;
    // Each node sends to the address in its own config: a peer behind NAT is still recognised by its key.
    this.socket.send(frame, p.port, p.host);
  }

  private readonly onMeshMessage = (buf: Buffer, rinfo: RemoteInfo): void => {
    this.stats.meshInPackets++;
    this.stats.meshInBytes += buf.length;
    if (this.stopped) return;
    try {
      this.handleMesh(buf, rinfo);
    } catch (err) {
      this.stats.drops[MeshDrop.ERROR]!++;
      this.logError('error handling a mesh packet', err);
    }
  };

  private handleMesh(buf: Buffer, _rinfo: RemoteInfo): void {
    const opened = openFrame(
      buf,
      (id) => this.peers.get(id)?.recvKey,
      (id) => this.peers.get(id)!.window,
    );
    if (!opened.ok) {
      const reason = {
        malformed: MeshDrop.MALFORMED,
        'unknown-peer': MeshDrop.UNKNOWN_PEER,
        auth: MeshDrop.AUTH,
        replay: MeshDrop.REPLAY,
      }[opened.reason];
      this.stats.drops[reason]!++;
      return; // never answered
    }
    const peer = this.peers.get(opened.sender)!;
    const now = performance.now();
    // The peer (re)started: its hop FEC stream starts its source ids again, which the old decoder would
    // take for duplicates of the previous run's. The epoch is authenticated and only ever moves forward
    // (an older one is refused as a replay), so only the peer itself can cause this reset.
    if (opened.newEpoch) peer.fec = this.hopFec(peer);
    if (opened.plaintext[0] === MSG_FEC) {
      const duplicates = peer.fec.duplicates;
      if (!peer.fec.receive(opened.plaintext, now)) this.stats.drops[MeshDrop.MALFORMED]!++;
      else this.stats.drops[MeshDrop.FEC_DUPLICATE]! += peer.fec.duplicates - duplicates;
      return;
    }
    this.dispatch(peer, decodeMessage(opened.plaintext), now, false);
  }

  /** One opened message; `inFec`: it came out of a type-7 wrapper, where only session messages belong. */
  private dispatch(peer: Peer, msg: MeshMessage | null, now: number, inFec: boolean): void {
    if (msg === null || (inFec && !('ttl' in msg))) {
      this.stats.drops[MeshDrop.MALFORMED]!++;
      return;
    }
    switch (msg.type) {
      case MsgType.PING:
        this.send(peer, { type: MsgType.PONG, seq: msg.seq, time: msg.time });
        return;
      case MsgType.PONG:
        // Only a PING still pending counts (a late one was already counted lost); the RTT is from our own
        // record of the send time, not the echoed field.
        {
          const sent = peer.pending.get(msg.seq);
          if (sent === undefined) return;
          peer.pending.delete(msg.seq);
          // The first PONG: PINGs sent before it may have gone out before the peer was up, which is not
          // loss on the link (they would count as lost when they expire, after this PONG).
          if (peer.link.rttMs < 0)
            for (const [seq, t] of peer.pending) if (t < sent) peer.pending.delete(seq);
          peer.link.sample(Math.max(0, now - sent), now);
        }
        return;
      case MsgType.LSA: {
        if (msg.origin === this.nodeId) return;
        const known = this.matrix.get(msg.origin);
        if (known !== undefined && serialNewer(known.lsaSeq, msg.lsaSeq) === false) return;
        this.matrix.set(msg.origin, { lsaSeq: msg.lsaSeq, at: now, entries: msg.entries });
        return;
      }
      case MsgType.DATA:
        if (msg.exit === this.nodeId) this.exits.data(msg, now);
        else this.relay(msg.exit, msg);
        return;
      case MsgType.REPLY:
        if (msg.entry === this.nodeId) this.entries.reply(msg);
        else this.relay(msg.entry, msg);
        return;
      case MsgType.FIN:
        if (msg.exit === this.nodeId) {
          this.exits.close(meshSessionKey(msg.sessionId));
        } else this.relay(msg.exit, msg);
        return;
      case MsgType.LEG_QUERY:
        if (msg.to !== this.nodeId) this.relay(msg.to, msg);
        else if (this.o.policy.allows(msg.ip, msg.port)) {
          this.relay(msg.from, {
            ...msg,
            type: MsgType.LEG_ANSWER,
            ttl: MESH_TTL + 1,
            from: this.nodeId,
            to: msg.from,
            legUs: this.ownLegUs(msg.ip, msg.port, now),
            region: this.o.region,
          });
        }
        return;
      case MsgType.LEG_ANSWER:
        if (msg.to !== this.nodeId) this.relay(msg.to, msg);
        else this.legs.record(msg.ip * 65536 + msg.port, msg.from, msg.legUs, msg.region, now);
        return;
    }
  }

  /** This relay's median leg to a server (tunnel and exit sessions), µs, or LEG_UNKNOWN. */
  private ownLegUs(ip: number, port: number, now: number): number {
    const a = this.o.serverLegs?.()?.answer(ip, port, now);
    return a?.known === true ? Math.min(LEG_PENDING - 1, a.legUs) : LEG_UNKNOWN;
  }

  /**
   * An EXITS question: every node this entry reaches (itself first), its route cost from here and its leg
   * to the game server, in an answer no longer than the question. The nodes are asked over the mesh (at
   * most once a second per server); the client asks again until the answer is complete.
   */
  private answerExits(f: MeshClientFrame, rinfo: RemoteInfo, size: number, now: number): void {
    if (size <= MESH_CLIENT_HEADER_LEN) {
      this.stats.drops[MeshDrop.CLIENT_MALFORMED]!++; // no room for an answer: never larger than the question
      return;
    }
    if (!this.o.policy.allows(f.ip, f.port)) {
      this.stats.drops[MeshDrop.DESTINATION_REFUSED]!++;
      return;
    }
    const dst = f.ip * 65536 + f.port;
    const others = [...this.routes]
      .filter(([n]) => n !== this.nodeId)
      .sort(([, a], [, b]) => a.cost - b.cost);
    if (this.legs.shouldAsk(dst, now)) {
      for (const [node] of others) {
        const q = {
          type: MsgType.LEG_QUERY,
          ttl: MESH_TTL + 1,
          from: this.nodeId,
          to: node,
          ip: f.ip,
          port: f.port,
        };
        this.relay(node, q);
      }
    }
    let pending = false;
    const exits = [
      {
        node: this.nodeId,
        meshRttUs: 0,
        legUs: this.ownLegUs(f.ip, f.port, now),
        region: this.o.region,
        via: [] as string[],
      },
    ];
    for (const [node, r] of others) {
      const a = this.legs.answer(dst, node, now);
      if (a === undefined) pending = true;
      exits.push({
        node,
        meshRttUs: r.cost * 1000,
        legUs: a?.legUs ?? LEG_PENDING,
        region: a?.region ?? '',
        via: r.path.slice(1, -1).slice(0, MESH_EXITS_MAX_VIA),
      });
    }
    const { payload, complete } = encodeMeshExits(exits, size - MESH_CLIENT_HEADER_LEN);
    this.o.sendToClient(
      encodeMeshClientFrame({
        kind: MeshKind.EXITS,
        tokenOrStatus: complete && !pending ? MESH_STATUS_EXITS_COMPLETE : 0,
        seq: f.seq,
        sessionId: f.sessionId,
        ip: f.ip,
        port: f.port,
        exit: '',
        payload,
      }),
      rinfo.port,
      rinfo.address,
    );
  }

  /** Passes a DATA / REPLY / FIN on toward `dest`. */
  private relay(dest: string, msg: Extract<MeshMessage, { ttl: number }>): void {
    if (msg.ttl <= 1) {
      this.stats.drops[MeshDrop.TTL]!++;
      return;
    }
    const hop = this.nextHop(dest);
    if (hop === null) {
      this.stats.drops[MeshDrop.NO_ROUTE]!++;
      return;
    }
    this.stats.transit++;
    this.sendSession(hop, { ...msg, ttl: msg.ttl - 1 });
  }

  // ---- entry: the client side ---------------------------------------------------------------------

  /** A version-4 datagram on the relay's data port (the data plane hands it over). */
  clientMessage(buf: Buffer, rinfo: RemoteInfo, now: number): void {
    this.stats.clientIn++;
    if (!this.stopped) this.entries.clientMessage(buf, rinfo, now);
  }

  private sweep(now: number): void {
    this.entries.sweep(now, this.o.sessionTimeoutMs);
    this.exits.sweep(now, this.o.sessionTimeoutMs);
  }

  private logError(message: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 1000) return;
    this.lastErrorLog = now;
    this.o.logger.warn({ err }, message);
  }

  /** Test hook: the exit's source port for a session (the address the game server sees). */
  exitSourcePort(sessionKey: string): number | null {
    return this.exits.sourcePort(sessionKey);
  }
}

/** Whether `b` is newer than `a` in u32 serial-number arithmetic. */
function serialNewer(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x8000_0000;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
