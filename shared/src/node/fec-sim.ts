/**
 * Code-level FEC simulation: two `FecLink`s (client and relay) joined by a seeded lossy link in each
 * direction, game traffic both ways at a fixed rate, simulated time (no sockets, no wall clock), so the
 * residual loss, the bytes and the recovery delay come out the same on every run and on any machine.
 * The link delay is fixed, so a recovered packet's delay is how long after its own arrival time it was
 * rebuilt: the wait for the repairs that completed it.
 */
import { FecLink, type FecSetting } from '../protocol/fec-link.js';
import { HEADER_V1_LEN, writeHeaderFields } from '../protocol/header.js';
import { oracleDelays, type OracleDatagram } from './fec-oracle.js';
import { Prng, deriveSeed } from './prng.js';
import { gilbertElliottLossModel, iidLoss, type GilbertElliott, type LossModel } from './loss-model.js';

export interface SimLoss {
  name: string;
  /** iid loss probability (ignored when `burst` is set). */
  loss?: number;
  burst?: GilbertElliott;
}

export interface SimOptions {
  setting: FecSetting;
  /** Game packets per second, each way. */
  pps: number;
  /** Game payload bytes. */
  size: number;
  /** Game packets per direction. */
  packets: number;
  loss: SimLoss;
  seed: number;
  /** v2 flush bound, ms (the engine's and relay's default is 5). */
  flushMs?: number;
  /** One-way link delay, ms. */
  delayMs?: number;
  /** Also run the ideal decoder (`oracleDelays`) over each direction's v3 datagrams. */
  oracle?: boolean;
}

export interface SimDirection {
  sent: number;
  /** Game packets that never arrived, rebuilt or not, over those sent. */
  residualLoss: number;
  /** Link loss over all datagrams of the direction. */
  rawLoss: number;
  /** Datagram bytes (headers included) over what FEC off sends for the same packets (20-byte header). */
  bytesVsOff: number;
  recovered: number;
  /** Recovery delays (ms) of every rebuilt packet. */
  delaysMs: number[];
  /** With `oracle`: the ideal decoder's delays over the same v3 datagrams and losses. */
  oracleDelaysMs?: number[];
}

export interface SimResult {
  up: SimDirection;
  down: SimDirection;
  /** Wire version of the data at the end (2 or 3 for adaptive, after negotiation). */
  versionUp: number;
  versionDown: number;
}

interface Event {
  at: number;
  order: number;
  run: () => void;
}

/** A minimal event queue over simulated milliseconds (binary heap). */
class Clock {
  now = 0;
  private order = 0;
  private readonly heap: Event[] = [];

  at(time: number, run: () => void): void {
    const e = { at: time, order: this.order++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  run(): void {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l]!, h[m]!)) m = l;
          if (r < h.length && before(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      this.now = top.at;
      top.run();
    }
  }
}

const before = (a: Event, b: Event): boolean => a.at < b.at || (a.at === b.at && a.order < b.order);

function model(loss: SimLoss): LossModel {
  return loss.burst ? gilbertElliottLossModel(loss.burst) : iidLoss(loss.loss ?? 0);
}

/** One end of the simulated session. */
class End {
  readonly link: FecLink;
  seq = 0;
  bytes = 0;
  datagrams = 0;
  dropped = 0;
  flushArmed = false;
  /** Arrival time (ms, had it not been lost) of each game packet this end receives, by packet number. */
  readonly got = new Map<number, number>();
  recovered = 0;
  readonly delays: number[] = [];
  /** v3 datagrams sent, for the ideal decoder (when asked for). */
  log: OracleDatagram[] | null = null;
  peer!: End;

  constructor(
    private readonly clock: Clock,
    setting: FecSetting,
    flushMs: number,
    private readonly loss: LossModel,
    private readonly rng: Prng,
    private readonly delayMs: number,
    private readonly interval: number,
  ) {
    this.link = new FecLink({
      setting,
      flushMs,
      writeHeader: (buf, version) => {
        writeHeaderFields(buf, 0, version, 0, 0, this.seq, 0, 0, 0, 0, 0);
        this.seq = (this.seq + 1) & 0xffff;
      },
      emit: (d) => {
        this.transmit(d);
      },
      deliver: (payload, recovered) => this.onGame(payload, recovered),
    });
  }

  /** A datagram onto the lossy link toward the peer. */
  transmit(d: Uint8Array): void {
    this.bytes += d.length;
    this.datagrams++;
    const lost = this.loss.drop(this.rng);
    if (this.log !== null) this.record(d, lost);
    if (lost) {
      this.dropped++;
      return;
    }
    const peer = this.peer;
    this.clock.at(this.clock.now + this.delayMs, () => {
      const version = d[0]! >>> 4;
      if (version === 2 || version === 3) peer.link.receive(d, version, this.clock.now);
      else peer.onGame(d.subarray(HEADER_V1_LEN), false);
    });
  }

  /** A v3 source or repair into the ideal decoder's log (reports and other versions carry no data). */
  private record(d: Uint8Array, lost: boolean): void {
    if (d[0]! >>> 4 !== 3) return;
    const at = this.clock.now + this.delayMs;
    if ((d[0]! & 0x8) === 0) this.log!.push({ id: (d[20]! << 8) | d[21]!, w: 0, lost, at });
    else if (d[6]! >>> 6 === 1) this.log!.push({ id: (d[4]! << 8) | d[5]!, w: (d[6]! & 0x3f) + 1, lost, at });
  }

  /** A game packet this end received (as it arrived, or rebuilt by its link). */
  onGame(payload: Uint8Array, recovered: boolean): void {
    const n = (payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!;
    if (this.got.has(n)) return;
    const due = n * this.interval + this.delayMs;
    this.got.set(n, due);
    if (recovered) {
      this.recovered++;
      this.delays.push(Math.max(0, this.clock.now - due));
    }
  }

  sendGame(n: number, size: number): void {
    const p = new Uint8Array(size);
    p[0] = n >>> 24;
    p[1] = (n >>> 16) & 0xff;
    p[2] = (n >>> 8) & 0xff;
    p[3] = n & 0xff;
    for (let i = 4; i < size; i++) p[i] = (n * 31 + i) & 0xff;
    this.link.send(p, this.clock.now);
    this.armFlush();
  }

  armFlush(): void {
    const due = this.link.dueMs;
    if (due === null || this.flushArmed) return;
    this.flushArmed = true;
    // Node timers fire at whole milliseconds, never early.
    this.clock.at(Math.max(this.clock.now, Math.ceil(due)), () => {
      this.flushArmed = false;
      this.link.poll(this.clock.now);
      this.armFlush();
    });
  }
}

/** Runs one simulated session; deterministic for given options. */
export function simulateFec(o: SimOptions): SimResult {
  const clock = new Clock();
  const interval = 1000 / o.pps;
  const delay = o.delayMs ?? 10;
  const flushMs = o.flushMs ?? 5;
  const client = new End(
    clock,
    o.setting,
    flushMs,
    model(o.loss),
    new Prng(deriveSeed(o.seed, 1)),
    delay,
    interval,
  );
  // The relay answers with the client's setting: xor K as the session's first packet says, adaptive once
  // the offer is accepted (off stays off).
  const relaySetting: FecSetting = o.setting.kind === 'adaptive' ? { kind: 'xor', k: 4 } : o.setting;
  const relay = new End(
    clock,
    relaySetting,
    flushMs,
    model(o.loss),
    new Prng(deriveSeed(o.seed, 2)),
    delay,
    interval,
  );
  client.peer = relay;
  relay.peer = client;
  if (o.oracle === true) {
    client.log = [];
    relay.log = [];
  }
  // Negotiation: the offer and its accept cross the lossy link like any datagram (retried every 250 ms).
  const offer = client.link.offer();
  if (offer !== null) {
    const attempt = (n: number): void => {
      if (n >= 4 || client.link.version === 3) return;
      if (!client.link.offer()) return;
      if (!model(o.loss).drop(new Prng(deriveSeed(o.seed, 10 + n)))) {
        const accept = relay.link.acceptOffer(offer);
        if (accept !== null && !model(o.loss).drop(new Prng(deriveSeed(o.seed, 20 + n)))) {
          clock.at(clock.now + 2 * delay, () => client.link.onHandshakeAnswer(accept));
        }
      }
      clock.at(clock.now + 250, () => attempt(n + 1));
    };
    attempt(0);
  }
  for (let n = 0; n < o.packets; n++) {
    const t = n * interval;
    clock.at(t, () => client.sendGame(n, o.size));
    // The reply leaves the relay at the same cadence (the link delay does not matter to FEC).
    clock.at(t + 0.01, () => relay.sendGame(n, o.size));
  }
  for (let t = 0; t < o.packets * interval + 1000; t += 1000) {
    clock.at(t + 0.5, () => {
      client.link.tick(clock.now);
      relay.link.tick(clock.now);
    });
  }
  clock.run();
  const dir = (from: End, to: End): SimDirection => ({
    sent: o.packets,
    residualLoss: 1 - to.got.size / o.packets,
    rawLoss: from.dropped / Math.max(1, from.datagrams),
    bytesVsOff: from.bytes / (o.packets * (HEADER_V1_LEN + o.size)),
    recovered: to.recovered,
    delaysMs: to.delays,
    ...(from.log !== null ? { oracleDelaysMs: oracleDelays(from.log, o.seed) } : {}),
  });
  return {
    up: dir(client, relay),
    down: dir(relay, client),
    versionUp: client.link.version,
    versionDown: relay.link.version,
  };
}
