/**
 * The exit end of mesh sessions (docs/mesh.md): one game-server-facing socket per session id, whichever
 * entry the client uses, so an entry change leaves the server's view unchanged. The exit applies its own
 * destination policy and per-session destination cap (an entry's check is never trusted alone), drops
 * duplicate client sequence numbers (multipath), accepts replies only from destinations the session has
 * sent to, and sends each reply through every entry that delivered data of the session in the last second,
 * with its own per-session sequence number. It also times the session's request/response leg to the server
 * (server-legs.ts), which answers EXITS questions.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

import { MeshDuplicateFilter, formatIpv4, meshSessionKey, parseIpv4 } from '@lightspeed/shared';

import { MESH_TTL, MsgType, type MeshMessage } from './mesh-frame.js';
import { MeshDrop, type MeshStats } from './mesh-stats.js';
import { literalLookup } from '../relay/upstream-pool.js';
import { noteLegSend, takeLegSample, type ServerLegs } from '../relay/server-legs.js';
import type { DestinationPolicy } from '../security/destination-policy.js';

/** An exit sends a session's replies through every entry it heard the session from within this long. */
export const ENTRY_FRESH_MS = 1000;

type DataMessage = MeshMessage & { type: typeof MsgType.DATA };
export type ReplyMessage = MeshMessage & { type: typeof MsgType.REPLY };

export interface MeshExitsOptions {
  policy: DestinationPolicy;
  /** Host the game-server-facing sockets bind to. */
  upstreamHost: string;
  maxSessions: number;
  maxDestinations: number;
  stats: MeshStats;
  serverLegs?: (() => ServerLegs | null) | undefined;
  /** Sends a reply back toward `entry` (this node or along the mesh). */
  reply(entry: string, reply: ReplyMessage): void;
  stopped(): boolean;
  logError(message: string, err: unknown): void;
}

/** Exit side of a session: the one game-server-facing socket, whichever entry the client uses. */
interface ExitSession {
  key: string;
  id: Uint8Array;
  socket: Socket;
  closed: boolean;
  lastActivity: number;
  /** Entry node → when a DATA of this session last arrived from it. */
  entries: Map<string, number>;
  /** Destinations (ip * 65536 + port) sent to: the only sources replies are accepted from. */
  destinations: number[];
  dedup: MeshDuplicateFilter;
  replySeq: number;
  sourcePort: number;
  /** Send times of the last upstream packets (the server leg, server-legs.ts). */
  legSends: Float64Array | null;
  legHead: number;
  legCount: number;
}

export class MeshExits {
  private readonly sessions = new Map<string, ExitSession>();

  constructor(private readonly o: MeshExitsOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A DATA whose exit is this node: to the game server from the session's socket. */
  data(msg: DataMessage, now: number): void {
    const stats = this.o.stats;
    const key = meshSessionKey(msg.sessionId);
    let s = this.sessions.get(key);
    if (s === undefined) {
      // No socket for a session whose first destination is refused anyway.
      if (!this.o.policy.allows(msg.ip, msg.port)) {
        stats.drops[MeshDrop.DESTINATION_REFUSED]!++;
        return;
      }
      if (this.sessions.size >= this.o.maxSessions) {
        stats.drops[MeshDrop.SESSIONS_FULL]!++;
        return;
      }
      s = this.open(key, msg.sessionId, now);
    }
    s.lastActivity = now;
    s.entries.set(msg.entry, now);
    if (!s.dedup.accept(msg.seq)) {
      stats.drops[MeshDrop.DUPLICATE]!++;
      return;
    }
    // The exit applies its own destination policy: an entry's check is never trusted alone.
    const dest = msg.ip * 65536 + msg.port;
    if (!s.destinations.includes(dest)) {
      if (!this.o.policy.allows(msg.ip, msg.port) || s.destinations.length >= this.o.maxDestinations) {
        stats.drops[MeshDrop.DESTINATION_REFUSED]!++;
        return;
      }
      s.destinations.push(dest);
    }
    stats.serverOut++;
    noteLegSend(s, now);
    s.socket.send(msg.payload, msg.port, formatIpv4(msg.ip));
  }

  /** Ends a session (its FIN), closing its socket. */
  close(key: string): void {
    const s = this.sessions.get(key);
    if (s !== undefined) this.closeSession(s);
  }

  closeAll(): void {
    for (const s of this.sessions.values()) this.closeSession(s);
  }

  /** Closes sessions idle for `timeoutMs` and forgets entries not heard from for as long. */
  sweep(now: number, timeoutMs: number): void {
    for (const s of this.sessions.values()) {
      if (now - s.lastActivity >= timeoutMs) this.closeSession(s);
      else for (const [e, seen] of s.entries) if (now - seen > timeoutMs) s.entries.delete(e);
    }
  }

  /** The sessions for /status. */
  flows(): Record<string, unknown>[] {
    return [...this.sessions.values()].map((s) => {
      const d = s.destinations[s.destinations.length - 1];
      return {
        session: s.key,
        role: 'exit',
        source_port: s.sourcePort,
        destination: d === undefined ? null : `${formatIpv4(Math.floor(d / 65536))}:${d % 65536}`,
        entries: [...s.entries.keys()],
      };
    });
  }

  /** The source port the game server sees for a session, null when there is none (yet). */
  sourcePort(key: string): number | null {
    return this.sessions.get(key)?.sourcePort ?? null;
  }

  private open(key: string, id: Uint8Array, now: number): ExitSession {
    const socket = createSocket({ type: 'udp4', lookup: literalLookup });
    const s: ExitSession = {
      key,
      id: Uint8Array.from(id),
      socket,
      closed: false,
      lastActivity: now,
      entries: new Map(),
      destinations: [],
      dedup: new MeshDuplicateFilter(),
      replySeq: 0,
      sourcePort: 0,
      legSends: null,
      legHead: 0,
      legCount: 0,
    };
    socket.on('message', (msg, rinfo) => this.upstream(s, msg, rinfo));
    socket.on('error', (err) => {
      this.o.stats.drops[MeshDrop.ERROR]!++;
      this.o.logError('mesh exit socket error', err);
    });
    socket.bind({ address: this.o.upstreamHost, port: 0 }, () => {
      s.sourcePort = socket.address().port;
    });
    this.sessions.set(key, s);
    return s;
  }

  private upstream(s: ExitSession, msg: Buffer, rinfo: RemoteInfo): void {
    const stats = this.o.stats;
    stats.serverIn++;
    if (s.closed || this.o.stopped()) return;
    const ip = parseIpv4(rinfo.address);
    if (ip === null || !s.destinations.includes(ip * 65536 + rinfo.port)) {
      stats.drops[MeshDrop.UNSOLICITED]!++;
      return;
    }
    const now = performance.now();
    s.lastActivity = now;
    const legMs = takeLegSample(s, now);
    if (legMs !== null) this.o.serverLegs?.()?.record(ip * 65536 + rinfo.port, legMs, now);
    const seq = s.replySeq;
    s.replySeq = (s.replySeq + 1) & 0xffff;
    let sent = false;
    for (const [entry, seen] of s.entries) {
      if (now - seen > ENTRY_FRESH_MS) continue;
      sent = true;
      this.o.reply(entry, {
        type: MsgType.REPLY,
        sessionId: s.id,
        ttl: MESH_TTL + 1,
        seq,
        ip,
        port: rinfo.port,
        entry,
        payload: msg,
      });
    }
    if (!sent) stats.drops[MeshDrop.NO_ROUTE]!++;
  }

  private closeSession(s: ExitSession): void {
    if (s.closed) return;
    s.closed = true;
    this.sessions.delete(s.key);
    try {
      s.socket.close();
    } catch {
      // already closed
    }
  }
}
