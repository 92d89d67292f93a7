/**
 * The entry end of mesh sessions (docs/mesh.md): version-4 client frames on the relay's data port. The
 * entry admits a mesh client exactly like a tunnel client — the token against its source IP when
 * `require_auth`, the per-IP session cap, packet and byte rate limits, the destination policy — answers
 * keepalives (never larger than the keepalive) and EXITS questions, turns DATA and FIN into mesh messages
 * toward the exit, and hands the exit's replies to the client wherever it is now (NAT rebinding).
 *
 * FEC on the client leg: every keepalive answer says the entry speaks it (status bit 1). A client that
 * sends FEC frames (kind 5: a `FecChannel` datagram whose messages are whole DATA frames) gets a channel for
 * its session and client epoch (the frame's sequence; a new epoch starts a new channel), and from then on
 * its replies go through that channel too; a client that never does gets bare DATA as before. What a
 * channel delivers, rebuilt or not, takes the DATA path (admission, limits, the client's own sequence to
 * the exit, which drops duplicates). Each channel draws a random nonzero id it puts in the IPv4 field of
 * its frames to the client: a restarted entry adopts the client's epoch with a new channel whose ids start
 * again at 0, and the new id tells the client to start a new receiving end too (mesh-session.ts).
 */
import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';

import {
  FecChannel,
  MESH_STATUS_EXIT_REACHABLE,
  MESH_STATUS_FEC,
  MESH_STATUS_FEC_HELD,
  MeshKind,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  meshSessionKey,
  type MeshClientFrame,
} from '@lightspeed/shared';

import { MESH_TTL, MsgType, type MeshMessage } from './mesh-frame.js';
import type { ReplyMessage } from './mesh-exit.js';
import { MeshDrop, type MeshStats } from './mesh-stats.js';
import type { SessionAuthority } from '../auth/session-authority.js';
import type { DestinationPolicy } from '../security/destination-policy.js';

type ToExit = MeshMessage & { type: typeof MsgType.DATA | typeof MsgType.FIN };

export interface MeshEntriesOptions {
  nodeId: string;
  requireAuth: boolean;
  authority?: SessionAuthority | undefined;
  policy: DestinationPolicy;
  pps: number;
  bps: number;
  maxSessions: number;
  /** Entry sessions one client IP may hold (security.max_sessions_per_ip); default 16. */
  maxSessionsPerIp?: number | undefined;
  /** FEC on the client leg for clients that ask for it (`[mesh] fec`); default on. */
  clientFec?: boolean | undefined;
  stats: MeshStats;
  /** Sends a datagram to a client from the relay's data port. */
  sendToClient(data: Uint8Array, port: number, host: string): void;
  /** Whether this node can reach `node` (itself included). */
  reachable(node: string): boolean;
  /** An EXITS question (answered by the node, which holds the routes and legs). */
  exits(f: MeshClientFrame, rinfo: RemoteInfo, size: number, now: number): void;
  /** A DATA or FIN on its way to the exit it names. */
  toExit(msg: ToExit, now: number): void;
}

/** Entry side of a session: where the client is. */
interface EntrySession {
  key: string;
  /** The client IP that opened it (counted against its per-IP cap). */
  owner: string;
  id: Uint8Array;
  ip: string;
  port: number;
  exit: string;
  lastActivity: number;
  tokens: number;
  bytes: number;
  refillAt: number;
  /** FEC on the client leg, once the client sent a FEC frame; `fecEpoch` is the client's channel epoch. */
  fec: FecChannel | null;
  fecEpoch: number;
}

export class MeshEntries {
  private readonly sessions = new Map<string, EntrySession>();
  /** Entry sessions per client IP (the IP that opened them). */
  private readonly perIp = new Map<string, number>();
  /** Where the FEC frame being decoded came from (its channel delivers during `receive`). */
  private inbound: { rinfo: RemoteInfo; now: number } | null = null;

  constructor(private readonly o: MeshEntriesOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** One client frame (the caller has counted it). */
  clientMessage(buf: Buffer, rinfo: RemoteInfo, now: number): void {
    const stats = this.o.stats;
    const d = decodeMeshClientFrame(buf);
    if (!d.ok) {
      stats.drops[MeshDrop.CLIENT_MALFORMED]!++;
      return;
    }
    const f = d.frame;
    if (this.o.requireAuth && !(this.o.authority?.authorize(rinfo.address, f.tokenOrStatus) ?? false)) {
      stats.drops[MeshDrop.CLIENT_UNAUTHENTICATED]!++;
      return;
    }
    const key = meshSessionKey(f.sessionId);
    if (f.kind === MeshKind.EXITS) {
      this.o.exits(f, rinfo, buf.length, now);
      return;
    }
    if (f.kind === MeshKind.KEEPALIVE) {
      // Same size as the keepalive or smaller (L = 0): never an amplifier.
      let status = f.exit !== '' && this.o.reachable(f.exit) ? MESH_STATUS_EXIT_REACHABLE : 0;
      if (this.o.clientFec !== false) status |= MESH_STATUS_FEC;
      const s = this.sessions.get(key);
      if (s !== undefined && s.ip === rinfo.address && s.port === rinfo.port) {
        s.lastActivity = now;
        if (s.fec !== null) status |= MESH_STATUS_FEC_HELD;
      }
      this.toClient(
        rinfo.address,
        rinfo.port,
        encodeMeshClientFrame({
          kind: MeshKind.KEEPALIVE,
          tokenOrStatus: status,
          seq: f.seq,
          sessionId: f.sessionId,
          ip: 0,
          port: 0,
          exit: '',
          payload: new Uint8Array(0),
        }),
      );
      return;
    }
    if (f.kind === MeshKind.FEC) {
      this.fecFrame(f, rinfo, now);
      return;
    }
    if (f.exit === '') {
      stats.drops[MeshDrop.CLIENT_MALFORMED]!++;
      return;
    }
    if (f.kind === MeshKind.FIN) {
      const s = this.sessions.get(key);
      if (s === undefined || s.ip !== rinfo.address || s.port !== rinfo.port) return;
      this.drop(s);
      this.o.toExit({ type: MsgType.FIN, sessionId: s.id, ttl: MESH_TTL, exit: s.exit }, now);
      return;
    }
    this.data(f, buf.length, rinfo, now);
  }

  /** A DATA frame, bare or delivered by the session's FEC channel: admission, limits, on to the exit. */
  private data(f: MeshClientFrame, size: number, rinfo: RemoteInfo, now: number): void {
    const stats = this.o.stats;
    const key = meshSessionKey(f.sessionId);
    if (!this.o.policy.allows(f.ip, f.port)) {
      stats.drops[MeshDrop.DESTINATION_REFUSED]!++;
      return;
    }
    let s = this.sessions.get(key);
    if (s === undefined) {
      const held = this.perIp.get(rinfo.address) ?? 0;
      if (this.sessions.size >= this.o.maxSessions || held >= (this.o.maxSessionsPerIp ?? 16)) {
        stats.drops[MeshDrop.SESSIONS_FULL]!++;
        return;
      }
      this.perIp.set(rinfo.address, held + 1);
      s = {
        key,
        owner: rinfo.address,
        id: Uint8Array.from(f.sessionId),
        ip: rinfo.address,
        port: rinfo.port,
        exit: f.exit,
        lastActivity: now,
        tokens: this.o.pps,
        bytes: this.o.bps,
        refillAt: now,
        fec: null,
        fecEpoch: -1,
      };
      this.sessions.set(key, s);
    }
    // The client may move (NAT rebinding) or change exit; the latest packet says where it is.
    s.ip = rinfo.address;
    s.port = rinfo.port;
    s.exit = f.exit;
    s.lastActivity = now;
    if (!this.takeTokens(s, size, now)) {
      stats.drops[MeshDrop.CLIENT_RATE_LIMITED]!++;
      return;
    }
    this.o.toExit(
      {
        type: MsgType.DATA,
        sessionId: s.id,
        ttl: MESH_TTL,
        seq: f.seq,
        ip: f.ip,
        port: f.port,
        entry: this.o.nodeId,
        exit: f.exit,
        payload: f.payload,
      },
      now,
    );
  }

  /** A REPLY for a session this node is the entry of: to the client (through its FEC channel if it has one). */
  reply(msg: ReplyMessage): void {
    const s = this.sessions.get(meshSessionKey(msg.sessionId));
    if (s === undefined) {
      this.o.stats.drops[MeshDrop.UNKNOWN_SESSION]!++;
      return;
    }
    this.o.stats.clientOut++;
    const frame = encodeMeshClientFrame({
      kind: MeshKind.DATA,
      tokenOrStatus: 0,
      seq: msg.seq,
      sessionId: s.id,
      ip: msg.ip,
      port: msg.port,
      exit: '',
      payload: msg.payload,
    });
    if (s.fec !== null && FecChannel.fits(frame)) s.fec.send(frame, performance.now());
    else this.toClient(s.ip, s.port, frame);
  }

  /** Forgets sessions idle for `timeoutMs`; sends the client-leg FEC loss reports that are due. */
  sweep(now: number, timeoutMs: number): void {
    for (const s of this.sessions.values()) {
      if (now - s.lastActivity >= timeoutMs) this.drop(s);
      else s.fec?.tick(now);
    }
  }

  clear(): void {
    this.sessions.clear();
    this.perIp.clear();
  }

  /** The sessions for /status. */
  flows(): Record<string, unknown>[] {
    return [...this.sessions.values()].map((s) => ({
      session: s.key,
      role: 'entry',
      client: `${s.ip}:${s.port}`,
      exit: s.exit,
    }));
  }

  /** A FEC frame: into the session's channel for the client's epoch (a new one for a new epoch). */
  private fecFrame(f: MeshClientFrame, rinfo: RemoteInfo, now: number): void {
    if (this.o.clientFec === false) {
      this.o.stats.drops[MeshDrop.CLIENT_MALFORMED]!++;
      return;
    }
    const key = meshSessionKey(f.sessionId);
    const s = this.sessions.get(key);
    const channel = s !== undefined && s.fec !== null && s.fecEpoch === f.seq ? s.fec : this.channel(key);
    this.inbound = { rinfo, now };
    const duplicates = channel.duplicates;
    const ok = channel.receive(f.payload, now);
    this.inbound = null;
    if (!ok) this.o.stats.drops[MeshDrop.CLIENT_MALFORMED]!++;
    else this.o.stats.drops[MeshDrop.FEC_DUPLICATE]! += channel.duplicates - duplicates;
    // The session may have been opened by the first DATA the channel delivered.
    const after = this.sessions.get(key);
    if (ok && after !== undefined && after.fec !== channel) {
      after.fec = channel;
      after.fecEpoch = f.seq;
    }
  }

  /** A client-leg FEC channel for session `key`: it sends to the client wherever the session says it is. */
  private channel(key: string): FecChannel {
    const channelId = randomBytes(4).readUInt32BE(0) || 1;
    const channel: FecChannel = new FecChannel(
      (datagram) => {
        const s = this.sessions.get(key);
        if (s === undefined || s.fec !== channel) return;
        const frame = encodeMeshClientFrame({
          kind: MeshKind.FEC,
          tokenOrStatus: 0,
          seq: s.fecEpoch,
          sessionId: s.id,
          ip: channelId,
          port: 0,
          exit: '',
          payload: datagram,
        });
        this.toClient(s.ip, s.port, frame);
      },
      (message, recovered) => {
        const from = this.inbound;
        if (from === null) return;
        const d = decodeMeshClientFrame(message);
        if (!d.ok || d.frame.kind !== MeshKind.DATA || meshSessionKey(d.frame.sessionId) !== key) {
          this.o.stats.drops[MeshDrop.CLIENT_MALFORMED]!++;
          return;
        }
        if (recovered) this.o.stats.clientFecRecovered++;
        this.data(d.frame, message.length, from.rinfo, from.now);
      },
    );
    return channel;
  }

  private drop(s: EntrySession): void {
    if (!this.sessions.delete(s.key)) return;
    const held = (this.perIp.get(s.owner) ?? 1) - 1;
    if (held <= 0) this.perIp.delete(s.owner);
    else this.perIp.set(s.owner, held);
  }

  private takeTokens(s: EntrySession, bytes: number, now: number): boolean {
    const dt = (now - s.refillAt) / 1000;
    s.refillAt = now;
    s.tokens = Math.min(this.o.pps, s.tokens + dt * this.o.pps);
    s.bytes = Math.min(this.o.bps, s.bytes + dt * this.o.bps);
    if (s.tokens < 1 || s.bytes < bytes) return false;
    s.tokens -= 1;
    s.bytes -= bytes;
    return true;
  }

  private toClient(host: string, port: number, frame: Uint8Array): void {
    this.o.sendToClient(frame, port, host);
  }
}
