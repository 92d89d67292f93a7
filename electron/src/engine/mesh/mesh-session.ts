/**
 * The engine's end of a mesh session (docs/mesh.md): one game socket's traffic tunnelled to an entry relay
 * that forwards it over the relay mesh to a chosen exit, which owns the game-server-facing socket.
 *
 * The session id is chosen here at random and is the same through every entry, so when the entry dies
 * (failover_misses keepalives unanswered in a row) the session moves to the next entry that answers and
 * reaches the same exit, and the exit keeps its upstream socket: the game server sees one source address.
 * With `multipath` every packet goes through two entries; the exit drops the duplicates going up and this
 * side drops them coming down (by the exit's sequence), so losing one entry costs no gap at all.
 *
 * It also moves to a better entry when one appears: a spare that reaches the exit with a keepalive RTT
 * (EWMA) better than an active entry's by MOVE_MIN_MS or MOVE_MIN_SHARE, whichever is larger, for
 * MOVE_ROUNDS keepalive rounds in a row, and never within MOVE_HOLD_MS of the last change — so two
 * entries of about the same RTT do not flap. No FIN goes to the old entry (a FIN ends the session at the
 * exit); its entry state times out. The exit sees the same session id and keeps its socket.
 *
 * FEC on the leg to each entry (the player's own last mile): to an entry whose keepalive answers say it
 * speaks it, DATA frames go through a `FecChannel` (FecLink's adaptive v3, the tunnel's FEC) carried in
 * kind-5 frames, and the entry answers in kind 5 too; the receiving ends report the leg's loss in-band and
 * the repairs follow it, direction by direction. One channel per entry, under a random epoch; when the
 * entry says it holds no channel for the session any more (it restarted or forgot the session) after it had
 * answered through ours, or when its frames name a new end of the channel (a restarted entry adopted our
 * epoch), a new epoch starts. Rebuilt replies take the same duplicate filter as the rest.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

import {
  LossMeter,
  MESH_STATUS_EXIT_REACHABLE,
  MeshDuplicateFilter,
  MeshKind,
  FecChannel,
  MESH_STATUS_FEC,
  MESH_STATUS_FEC_HELD,
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  meshSessionKey,
  type MeshClientFrame,
  type MeshKindValue,
} from '@lightspeed/shared';

import { nowMs } from '../clock.js';

/** A spare must be better by at least this many ms ... */
export const MOVE_MIN_MS = 5;
/** ... and this share of the active entry's RTT ... */
export const MOVE_MIN_SHARE = 0.1;
/** ... for this many keepalive rounds in a row ... */
export const MOVE_ROUNDS = 4;
/** ... and not within this long of the last change of entry. */
export const MOVE_HOLD_MS = 5000;
/** Keepalive answers an entry needs before its RTT is compared. */
const MOVE_MIN_SAMPLES = 3;

export interface MeshEntry {
  /** For logs and events; the relay's data port is what matters. */
  name: string;
  host: string;
  port: number;
  /** This entry's session token (tokens are per relay); overrides the session's `token`. */
  token?: number | undefined;
}

export interface MeshSessionOptions {
  /** Entry relays in order of preference (the selector's ranking). */
  entries: MeshEntry[];
  /** Node id of the exit relay. */
  exit: string;
  /** Game server (IPv4 as a u32) and port. */
  serverIp: number;
  serverPort: number;
  /** Session token (0 without auth). */
  token?: number;
  keepaliveMs?: number;
  /** Keepalives unanswered in a row before the entry is abandoned. Default 3. */
  failoverMisses?: number;
  /** Send through two entries at once. */
  multipath?: boolean;
  /** Hands a reply payload to the game. */
  deliver: (payload: Uint8Array) => void;
  /** The active entry changed (failover, or a move to a better entry). */
  onEntryChange?: (from: MeshEntry | null, to: MeshEntry | null) => void;
  /** Moving to a better entry when one appears (default on). */
  moveToBetter?: boolean;
  /** FEC on the leg to each entry that speaks it (default on). */
  fec?: boolean;
}

interface EntryState {
  entry: MeshEntry;
  /** Keepalives unanswered in a row. */
  misses: number;
  alive: boolean;
  reachesExit: boolean;
  lastAnswerMs: number;
  rttMs: number;
  /** EWMA of the keepalive RTT (-1 before the first answer) and the answers it is made of. */
  srttMs: number;
  samples: number;
  /** The last keepalives' fates, oldest first: 1 answered, 0 unanswered (at most KA_WINDOW). */
  fates: number[];
  /** The entry's keepalive answers say it speaks FEC on this leg. */
  fecOffered: boolean;
  /** This leg's FEC channel (made at the first DATA sent through it) and its epoch. */
  fec: FecChannel | null;
  fecEpoch: number;
  /** The entry has answered through this channel (so a "not held" status means it lost it). */
  fecAnswered: boolean;
  /** The id of the entry's end of the channel (0: not yet known, or an entry that sends none). */
  fecPeer: number;
}

/** Keepalives the loss of an entry is counted over. */
const KA_WINDOW = 20;

export interface MeshSessionStats {
  sent: number;
  delivered: number;
  duplicatesDropped: number;
  failovers: number;
  /** Keepalives the abandoned entry had left unanswered when the last failover happened. */
  missesAtFailover: number;
  /** Moves to a better entry (the old one still alive). */
  moves: number;
  /** Replies rebuilt by FEC on the entry leg (before the duplicate filter). */
  fecRecovered: number;
  /** Entry-leg FEC channels started again because a restarted entry answered with a new end of one. */
  fecRestarts: number;
  active: string[];
}

export class MeshSession {
  readonly sessionId = new Uint8Array(randomBytes(8));
  private readonly socket = dgram.createSocket('udp4');
  private readonly states: EntryState[];
  private readonly dedup = new MeshDuplicateFilter();
  /** Gaps in the exit's sequence (after duplicates are dropped): the loss coming down. */
  private readonly meter = new LossMeter();
  private readonly keepaliveMs: number;
  private readonly failoverMisses: number;
  private readonly paths: number;
  private active: EntryState[] = [];
  private seq = 0;
  private kaSeq = 0;
  private readonly kaSent = new Map<number, { state: EntryState; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private betterRounds = 0;
  private lastChangeMs = -Infinity;
  readonly stats: MeshSessionStats = {
    sent: 0,
    delivered: 0,
    duplicatesDropped: 0,
    failovers: 0,
    missesAtFailover: 0,
    moves: 0,
    fecRecovered: 0,
    fecRestarts: 0,
    active: [],
  };

  constructor(private readonly o: MeshSessionOptions) {
    if (o.entries.length === 0) throw new Error('a mesh session needs at least one entry');
    this.keepaliveMs = o.keepaliveMs ?? 250;
    this.failoverMisses = o.failoverMisses ?? 3;
    this.paths = o.multipath === true ? 2 : 1;
    this.states = o.entries.map((entry) => ({
      entry,
      misses: 0,
      alive: true,
      reachesExit: true,
      lastAnswerMs: -Infinity,
      rttMs: -1,
      srttMs: -1,
      samples: 0,
      fates: [],
      fecOffered: false,
      fec: null,
      fecEpoch: 0,
      fecAnswered: false,
      fecPeer: 0,
    }));
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => undefined);
  }

  get key(): string {
    return meshSessionKey(this.sessionId);
  }

  /** Binds the tunnel socket and starts keepalives; the first entries in order are active until proven dead. */
  async open(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '0.0.0.0', () => resolve()));
    this.active = this.states.slice(0, this.paths);
    this.stats.active = this.active.map((s) => s.entry.name);
    this.keepalive();
    this.timer = setInterval(() => this.keepalive(), this.keepaliveMs);
    this.timer.unref();
  }

  /** Sends one game payload through the active entry (two with multipath). */
  send(payload: Uint8Array): void {
    if (this.closed) return;
    const now = nowMs();
    for (const s of this.active) {
      const frame = this.frame(MeshKind.DATA, this.seq, payload, s.entry);
      if (this.o.fec !== false && s.fecOffered && FecChannel.fits(frame)) this.channel(s).send(frame, now);
      else this.socket.send(frame, s.entry.port, s.entry.host);
    }
    this.seq = (this.seq + 1) & 0xffff;
    this.stats.sent++;
  }

  /** Entries now carrying traffic. */
  activeEntries(): MeshEntry[] {
    return this.active.map((s) => s.entry);
  }

  /** Unanswered share of the first active entry's last keepalives (0..1); null before any. */
  keepaliveLoss(): number | null {
    const f = this.active[0]?.fates ?? [];
    return f.length === 0 ? null : f.filter((x) => x === 0).length / f.length;
  }

  /** Replies counted and missing (gaps in the exit's sequence) since the last call. */
  takeDownCounts(): { received: number; lost: number } {
    const r = this.meter.take(0);
    return { received: r.received, lost: r.lost };
  }

  /** Keepalive RTT (EWMA, ms) of the first active entry; null before its first answer. */
  activeRttMs(): number | null {
    const s = this.active[0];
    return s === undefined || s.srttMs < 0 ? null : s.srttMs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const s of this.active) {
      this.socket.send(
        this.frame(MeshKind.FIN, this.seq, new Uint8Array(0), s.entry),
        s.entry.port,
        s.entry.host,
      );
    }
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private frame(kind: MeshKindValue, seq: number, payload: Uint8Array, entry: MeshEntry): Uint8Array {
    return encodeMeshClientFrame({
      kind,
      tokenOrStatus: entry.token ?? this.o.token ?? 0,
      seq,
      sessionId: this.sessionId,
      ip: this.o.serverIp,
      port: this.o.serverPort,
      exit: this.o.exit,
      payload,
    });
  }

  /** The leg's FEC channel to `s`, made under a new random epoch when there is none. */
  private channel(s: EntryState): FecChannel {
    if (s.fec !== null) return s.fec;
    const epoch = randomBytes(2).readUInt16BE(0);
    s.fecEpoch = epoch;
    s.fecAnswered = false;
    s.fecPeer = 0;
    s.fec = new FecChannel(
      (datagram) => {
        const frame = encodeMeshClientFrame({
          kind: MeshKind.FEC,
          tokenOrStatus: s.entry.token ?? this.o.token ?? 0,
          seq: epoch,
          sessionId: this.sessionId,
          ip: 0,
          port: 0,
          exit: '',
          payload: datagram,
        });
        if (!this.closed) this.socket.send(frame, s.entry.port, s.entry.host);
      },
      (message, recovered) => {
        const d = decodeMeshClientFrame(message);
        if (!d.ok || d.frame.kind !== MeshKind.DATA || meshSessionKey(d.frame.sessionId) !== this.key) return;
        if (recovered) this.stats.fecRecovered++;
        this.data(d.frame, s);
      },
    );
    return s.fec;
  }

  /** One keepalive to every entry (the spares too: a failover must know where to go). */
  private keepalive(): void {
    if (this.closed) return;
    const now = nowMs();
    for (const s of this.states) s.fec?.tick(now);
    // A keepalive unanswered for one interval is a miss.
    for (const [seq, k] of this.kaSent) {
      if (now - k.at < this.keepaliveMs) continue;
      this.kaSent.delete(seq);
      fate(k.state, 0);
      k.state.misses++;
      if (k.state.misses >= this.failoverMisses) k.state.alive = false;
    }
    this.reselect();
    if (this.o.moveToBetter !== false) this.considerMove(now);
    for (const s of this.states) {
      const seq = this.kaSeq;
      this.kaSeq = (this.kaSeq + 1) & 0xffff;
      this.kaSent.set(seq, { state: s, at: now });
      this.socket.send(
        this.frame(MeshKind.KEEPALIVE, seq, new Uint8Array(0), s.entry),
        s.entry.port,
        s.entry.host,
      );
    }
  }

  /** Drops dead or exit-less entries from the active set and fills it from the ranking. */
  private reselect(): void {
    const usable = (s: EntryState): boolean => s.alive && s.reachesExit;
    const kept = this.active.filter(usable);
    for (const s of this.states) {
      if (kept.length >= this.paths) break;
      if (!kept.includes(s) && usable(s)) kept.push(s);
    }
    if (kept.length === this.active.length && kept.every((s, i) => s === this.active[i])) return;
    const before = this.active[0]?.entry ?? null;
    const dropped = this.active.filter((s) => !kept.includes(s));
    const lost = dropped.length > 0;
    this.active = kept;
    this.stats.active = kept.map((s) => s.entry.name);
    if (lost) {
      this.stats.failovers++;
      this.stats.missesAtFailover = Math.max(0, ...dropped.map((s) => s.misses));
    }
    this.lastChangeMs = nowMs();
    this.betterRounds = 0;
    const after = kept[0]?.entry ?? null;
    if (before !== after) this.o.onEntryChange?.(before, after);
  }

  /** Once per keepalive round: moves off the slowest active entry when a spare has been clearly better. */
  private considerMove(now: number): void {
    const measured = (s: EntryState): boolean => s.samples >= MOVE_MIN_SAMPLES && s.alive && s.reachesExit;
    let worst: EntryState | null = null;
    for (const s of this.active) if (worst === null || s.srttMs > worst.srttMs) worst = s;
    let best: EntryState | null = null;
    for (const s of this.states) {
      if (this.active.includes(s) || !measured(s)) continue;
      if (best === null || s.srttMs < best.srttMs) best = s;
    }
    const margin = worst === null ? 0 : Math.max(MOVE_MIN_MS, MOVE_MIN_SHARE * worst.srttMs);
    if (worst === null || best === null || !measured(worst) || best.srttMs + margin >= worst.srttMs) {
      this.betterRounds = 0;
      return;
    }
    if (++this.betterRounds < MOVE_ROUNDS || now - this.lastChangeMs < MOVE_HOLD_MS) return;
    this.active = this.active.map((s) => (s === worst ? best : s));
    this.stats.active = this.active.map((s) => s.entry.name);
    this.stats.moves++;
    this.betterRounds = 0;
    this.lastChangeMs = now;
    this.o.onEntryChange?.(worst.entry, best.entry);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const d = decodeMeshClientFrame(msg);
    if (!d.ok) return;
    const f = d.frame;
    if (meshSessionKey(f.sessionId) !== this.key) return;
    const state = this.states.find((s) => s.entry.port === rinfo.port && s.entry.host === rinfo.address);
    if (state === undefined) return; // only the entries we chose may talk to us
    if (f.kind === MeshKind.KEEPALIVE) {
      const sent = this.kaSent.get(f.seq);
      if (sent === undefined || sent.state !== state) return;
      this.kaSent.delete(f.seq);
      fate(state, 1);
      state.misses = 0;
      state.alive = true;
      state.reachesExit = (f.tokenOrStatus & MESH_STATUS_EXIT_REACHABLE) !== 0;
      state.fecOffered = (f.tokenOrStatus & MESH_STATUS_FEC) !== 0;
      // The entry answered through our channel before and holds none now: it lost it; start a new epoch.
      if (state.fecAnswered && (f.tokenOrStatus & MESH_STATUS_FEC_HELD) === 0) state.fec = null;
      state.lastAnswerMs = nowMs();
      state.rttMs = state.lastAnswerMs - sent.at;
      state.srttMs = state.srttMs < 0 ? state.rttMs : state.srttMs + 0.25 * (state.rttMs - state.srttMs);
      state.samples++;
      if (!state.reachesExit) this.reselect();
      else if (this.active.length < this.paths) this.reselect();
      return;
    }
    if (f.kind === MeshKind.FEC) {
      if (state.fec === null || f.seq !== state.fecEpoch) return; // a channel we no longer hold
      // A new end at the entry under our epoch (it restarted and adopted it): its ids start again at 0,
      // which our decoder would take for the old end's. Both ends start again: the next DATA opens a new
      // epoch, for which the entry makes a new channel (this frame is dropped; the game resends).
      if (f.ip !== 0 && state.fecPeer !== 0 && f.ip !== state.fecPeer) {
        state.fec = null;
        this.stats.fecRestarts++;
        return;
      }
      if (f.ip !== 0) state.fecPeer = f.ip;
      state.fecAnswered = true;
      state.misses = 0;
      state.fec.receive(f.payload, nowMs());
      return;
    }
    if (f.kind !== MeshKind.DATA) return;
    this.data(f, state);
  }

  /** A reply from an entry, bare or delivered by its FEC channel: duplicates dropped, then to the game. */
  private data(f: MeshClientFrame, state: EntryState): void {
    // Any traffic from an entry proves it alive.
    state.misses = 0;
    if (!this.dedup.accept(f.seq)) {
      this.stats.duplicatesDropped++;
      return;
    }
    this.meter.observe(f.seq);
    this.stats.delivered++;
    this.o.deliver(f.payload);
  }
}

function fate(s: EntryState, answered: 0 | 1): void {
  s.fates.push(answered);
  if (s.fates.length > KA_WINDOW) s.fates.shift();
}
