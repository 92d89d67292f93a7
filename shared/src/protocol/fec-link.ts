/**
 * The one FEC path of a tunnel session, used by both ends (the engine's TunnelFlow and the relay's
 * Session): it turns payloads into datagrams (v1 plain, v2 XOR blocks, v3 sliding-window repairs with
 * in-band loss reports) and datagrams back into payloads, rebuilt ones included. Pure: no sockets, no
 * timers; the caller passes the time, writes the 20 common header bytes, sends what `emit` gets, and
 * calls `poll` when `dueMs` says (a v2 partial block's parity) and `tick` about once a second.
 *
 * FEC setting: off (v1), xor K (v2), or adaptive: v2 K = 4 until the peer accepts the v3 offer, then v3.
 * A receiver decodes v2 and v3 whatever it sends.
 */
import { FecDecoder } from './fec-decoder.js';
import { FecEncoder } from './fec-encoder.js';
import {
  FEC_BUDGETS,
  decodeFecNegotiation,
  encodeFecNegotiation,
  type FecBudget,
} from './fec-negotiation.js';
import { RepairRate, type FecEstimate } from './fec-rate.js';
import { SlidingDecoder } from './fec-v3-decoder.js';
import { SlidingEncoder } from './fec-v3-encoder.js';
import {
  HEADER_V3_COMPACT_LEN,
  V3Kind,
  readV3Extension,
  writeV3Extension,
  type V3Extension,
  type V3KindValue,
} from './fec-v3-header.js';
import { LossMeter, decodeV3Report, encodeV3Report } from './fec-v3-report.js';
import { HEADER_V1_LEN, HEADER_V2_LEN, Offset, writeFecExtension, type FecExtension } from './header.js';

export type FecSetting =
  { kind: 'off' } | { kind: 'xor'; k: number } | { kind: 'adaptive'; budget: FecBudget };

/** K of the v2 fallback of an adaptive session (the deployed default). */
export const FEC_FALLBACK_K = 4;
/** Reports go out at least this often while the peer sends v3. */
export const FEC_REPORT_INTERVAL_MS = 500;
/** ... and sooner once this many datagrams were counted (at high packet rates the sender learns fast). */
export const FEC_REPORT_PACKETS = 100;
/**
 * The first reports go after this many datagrams, or two losses: the sender starts blind (spending the
 * budget of an assumed 1% loss), so the sooner it hears, the less start-up costs on a clean link and the
 * less a bad one waits for repairs.
 */
export const FEC_REPORT_FIRST_PACKETS = 24;
const FEC_REPORT_FIRST_COUNT = 4;
/** Never more often than this. */
const FEC_REPORT_MIN_GAP_MS = 50;

export interface FecLinkOptions {
  setting: FecSetting;
  /** v2: the longest a partial block waits for its parity. */
  flushMs: number;
  /** Writes the 20 common header bytes of an outgoing data packet (flags 0) with this version. */
  writeHeader: (buf: Uint8Array, version: 1 | 2 | 3, nowMs: number) => void;
  /** Sends one datagram: game data, FEC (v2 parity, v3 repair) or a v3 report. */
  emit: (datagram: Uint8Array, role: FecDatagramRole) => void;
  /** Hands one payload on: as it arrived, or rebuilt (`recovered`). */
  deliver: (payload: Uint8Array, recovered: boolean) => void;
  /**
   * v3: what is already known of this direction's loss (another session's estimate on the same path),
   * so that repairs start at that rate instead of the 1% guess. Optional; `seedEstimate` sets it later.
   */
  seed?: FecEstimate | null | undefined;
}

export interface FecLinkStats {
  /** Data packets sent. */
  dataSent: number;
  /** v2 parity and v3 repair packets sent. */
  fecSent: number;
  /** Bytes of those (headers included). */
  fecBytesSent: number;
  /** Bytes of data packets sent (headers included). */
  dataBytesSent: number;
  reportsSent: number;
  /** Data packets received and delivered. */
  received: number;
  /** Packets rebuilt and delivered. */
  recovered: number;
  /** Data packets known lost after FEC. */
  lost: number;
  duplicates: number;
  invalid: number;
}

export type FecReceiveResult = 'data' | 'duplicate' | 'fec' | 'invalid';
export type FecDatagramRole = 'data' | 'fec' | 'report';

export class FecLink {
  private sendVersion: 1 | 2 | 3;
  private budget: FecBudget;
  private xorEnc: FecEncoder | null = null;
  private flushAt = -1;
  private v3Enc: SlidingEncoder | null = null;
  private rate: RepairRate | null = null;
  private seed: FecEstimate | null;
  private xorDec: FecDecoder | null = null;
  private v3Dec: SlidingDecoder | null = null;
  private readonly meter = new LossMeter();
  private lastReportMs = -Infinity;
  private lostReported = 0;
  private readonly ext: V3Extension = { kind: 0, id: 0, w: 0, key: 0, payloadOffset: 0 };
  private readonly scratch = new Uint8Array(HEADER_V1_LEN);
  private readonly fecExt: FecExtension = { blockId: 0, index: 0, k: 0 };
  private readonly counters: FecLinkStats = {
    dataSent: 0,
    fecSent: 0,
    fecBytesSent: 0,
    dataBytesSent: 0,
    reportsSent: 0,
    received: 0,
    recovered: 0,
    lost: 0,
    duplicates: 0,
    invalid: 0,
  };
  private readonly deliverV3 = (payload: Uint8Array, recovered: boolean): void => {
    if (recovered) this.counters.recovered++;
    this.o.deliver(payload, recovered);
  };

  constructor(private readonly o: FecLinkOptions) {
    this.seed = o.seed ?? null;
    const s = o.setting;
    this.budget = s.kind === 'adaptive' ? s.budget : 'balanced';
    if (s.kind === 'off') this.sendVersion = 1;
    else {
      this.sendVersion = 2;
      this.xorEnc = new FecEncoder(s.kind === 'xor' ? s.k : FEC_FALLBACK_K);
    }
  }

  /** The header version data packets go out with now. */
  get version(): 1 | 2 | 3 {
    return this.sendVersion;
  }

  /** v3: the loss this end believes its direction has (from the peer's reports); null otherwise. */
  get estimatedLoss(): number | null {
    return this.rate?.estimatedLoss ?? null;
  }

  /**
   * v3: this direction's loss as the peer's reports have taught it (for a later session on the same path
   * to start from); null before the first report or without v3.
   */
  estimate(): FecEstimate | null {
    return this.rate?.estimate() ?? null;
  }

  /** Sets the start-up estimate (see `FecLinkOptions.seed`); no effect once a report has come. */
  seedEstimate(seed: FecEstimate): void {
    this.seed = seed;
    this.rate?.seed(seed);
  }

  /** Duplicate data packets dropped so far (without a snapshot: for per-packet paths). */
  get duplicates(): number {
    return this.counters.duplicates;
  }

  stats(): FecLinkStats {
    const c = { ...this.counters };
    c.lost = (this.xorDec?.stats().lost ?? 0) + (this.v3Dec?.stats().lost ?? 0);
    return c;
  }

  /**
   * Data packets given up for good: v2 blocks closed with data missing (expired up to `nowMs`) plus v3
   * source ids that left the window unknown.
   */
  unrecoverable(nowMs: number): number {
    this.xorDec?.expire(nowMs);
    return (this.xorDec?.stats().unrecoverable ?? 0) + (this.v3Dec?.lostCount ?? 0);
  }

  /** Payload bytes the v3 decoder holds (bounded: see `SlidingDecoder.retainedBytes`). */
  retainedBytes(): number {
    return this.v3Dec?.retainedBytes() ?? 0;
  }

  /** Client side: the offer to put in a HANDSHAKE while this adaptive session still sends v2; else null. */
  offer(): Uint8Array | null {
    if (this.o.setting.kind !== 'adaptive' || this.sendVersion === 3) return null;
    return encodeFecNegotiation({ version: 3, budget: this.budget });
  }

  /** Client side: a HANDSHAKE answer's payload. True when it accepts v3 (and the session now sends v3). */
  onHandshakeAnswer(payload: Uint8Array): boolean {
    if (this.o.setting.kind !== 'adaptive') return false;
    const n = decodeFecNegotiation(payload);
    if (n === null || n.version !== 3) return false;
    this.switchToV3(n.budget);
    return true;
  }

  /**
   * Relay side: a HANDSHAKE payload. When it is a v3 offer and this session may send FEC, the session
   * switches to v3 and the accept to send back is returned; null otherwise.
   */
  acceptOffer(payload: Uint8Array): Uint8Array | null {
    const n = decodeFecNegotiation(payload);
    if (n === null || this.sendVersion === 1) return null;
    this.switchToV3(FEC_BUDGETS.includes(n.budget) ? n.budget : 'balanced');
    return encodeFecNegotiation({ version: 3, budget: this.budget });
  }

  /**
   * Sends v3 from now on. Besides negotiation, a relay uses it for a session whose first packet is
   * already v3 (the client negotiated with this relay before it restarted). Off sessions stay off.
   */
  switchToV3(budget: FecBudget): void {
    if (this.sendVersion === 1) return;
    this.budget = budget;
    this.rate?.setBudget(budget);
    if (this.sendVersion === 3) return;
    this.sendVersion = 3;
    this.xorEnc = null;
    this.flushAt = -1;
    this.v3Enc = new SlidingEncoder();
    this.rate = new RepairRate(budget, this.seed);
  }

  /** When `poll` must run next (a v2 partial block's parity), or null. */
  get dueMs(): number | null {
    return this.flushAt >= 0 ? this.flushAt : null;
  }

  /** Sends one payload (and the parity or repairs due after it). */
  send(payload: Uint8Array, nowMs: number): void {
    if (this.sendVersion === 3) this.sendV3(payload, nowMs);
    else if (this.sendVersion === 2) this.sendV2(payload, nowMs);
    else this.emitData(1, payload, -1, 0, 0, 0, nowMs);
  }

  /** Sends what is due: a v2 partial block's parity (`flushMs` after its first packet). */
  poll(nowMs: number): void {
    // Timers may fire a fraction of a millisecond early by this clock.
    if (this.flushAt >= 0 && nowMs >= this.flushAt - 1) this.flushParity(nowMs);
  }

  /** Closes the current v2 block now (its parity goes out). */
  flushParity(nowMs: number): void {
    this.flushAt = -1;
    const parity = this.xorEnc?.flush();
    if (!parity) return;
    this.emitData(2, parity.payload, parity.blockId, parity.k, parity.k, 1, nowMs);
  }

  /** About once a second (and more often is fine): v2 block expiry, a v3 report when one is due. */
  tick(nowMs: number): void {
    this.xorDec?.expire(nowMs);
    this.maybeReport(nowMs);
  }

  private sendV2(payload: Uint8Array, nowMs: number): void {
    const enc = this.xorEnc!;
    const blockId = enc.blockId;
    const index = enc.add(payload);
    this.emitData(2, payload, blockId, index, enc.k, 0, nowMs);
    if (enc.full) this.flushParity(nowMs);
    else if (index === 0) this.flushAt = nowMs + this.o.flushMs;
  }

  private sendV3(payload: Uint8Array, nowMs: number): void {
    const enc = this.v3Enc!;
    const id = enc.add(payload, nowMs);
    this.emitData(3, payload, id, V3Kind.SOURCE, 0, 0, nowMs);
    for (let n = this.rate!.afterSource(nowMs); n > 0; n--) {
      const r = enc.repair(nowMs);
      if (r === null) break;
      this.emitData(3, r.payload, r.end, V3Kind.REPAIR, r.w, 1, nowMs, r.key);
    }
    this.maybeReport(nowMs);
  }

  private maybeReport(nowMs: number): void {
    const dec = this.v3Dec;
    if (dec === null) return;
    const elapsed = nowMs - this.lastReportMs;
    // Early on, two losses are news enough: a sender that started blind on a bad link hears at once.
    const early = this.counters.reportsSent < FEC_REPORT_FIRST_COUNT;
    const enough =
      this.meter.counted >= (early ? FEC_REPORT_FIRST_PACKETS : FEC_REPORT_PACKETS) ||
      (early && this.meter.missing >= 2);
    if (elapsed < FEC_REPORT_INTERVAL_MS && (elapsed < FEC_REPORT_MIN_GAP_MS || !enough)) return;
    this.lastReportMs = nowMs;
    const lost = dec.lostCount;
    const report = this.meter.take(lost - this.lostReported);
    this.lostReported = lost;
    this.emitData(3, encodeV3Report(report), 0, V3Kind.REPORT, 0, 2, nowMs);
  }

  /**
   * One datagram: header (v1: 20 bytes; v2: block a, index b, K c; v3 source: id a; v3 repair/report:
   * the 8-byte shape, id a, kind b, W c, key) and payload. `role` 0 data, 1 FEC, 2 report (for the counters).
   */
  private emitData(
    version: 1 | 2 | 3,
    payload: Uint8Array,
    a: number,
    b: number,
    c: number,
    role: 0 | 1 | 2,
    nowMs: number,
    key = 0,
  ): void {
    const compact = version === 3 && b !== V3Kind.SOURCE;
    const hlen = version === 1 ? HEADER_V1_LEN : compact ? HEADER_V3_COMPACT_LEN : HEADER_V2_LEN;
    const buf = new Uint8Array(hlen + payload.length);
    if (compact) {
      // Token and sequence as the caller writes them; the rest of its 20 bytes has no place here.
      const h = this.scratch;
      this.o.writeHeader(h, 3, nowMs);
      buf[1] = h[1]!;
      buf[2] = h[2]!;
      buf[3] = h[3]!;
    } else this.o.writeHeader(buf, version, nowMs);
    if (version === 2) writeFecExtension(buf, 0, a, b, c);
    else if (version === 3) writeV3Extension(buf, b as V3KindValue, a, c, key);
    buf.set(payload, hlen);
    const n = this.counters;
    if (role === 0) {
      n.dataSent++;
      n.dataBytesSent += buf.length;
    } else if (role === 1) {
      n.fecSent++;
      n.fecBytesSent += buf.length;
    } else n.reportsSent++;
    this.o.emit(buf, role === 0 ? 'data' : role === 1 ? 'fec' : 'report');
  }

  /**
   * One received v2 or v3 data datagram (flags 0; the caller has checked the header with
   * `checkTunnelHeader` and handles v1 itself). Delivers what it carries and what it lets us rebuild.
   */
  receive(msg: Uint8Array, version: 2 | 3, nowMs: number): FecReceiveResult {
    this.meter.observe((msg[Offset.SEQUENCE]! << 8) | msg[Offset.SEQUENCE + 1]!);
    return version === 2 ? this.receiveV2(msg, nowMs) : this.receiveV3(msg, nowMs);
  }

  private receiveV2(msg: Uint8Array, nowMs: number): FecReceiveResult {
    const fec = this.fecExt;
    fec.blockId = (msg[Offset.FEC_BLOCK]! << 8) | msg[Offset.FEC_BLOCK + 1]!;
    fec.index = msg[Offset.FEC_INDEX]!;
    fec.k = msg[Offset.FEC_K]!;
    const payload = msg.subarray(HEADER_V2_LEN);
    const dec = (this.xorDec ??= new FecDecoder());
    const rebuilt = dec.receive(fec, payload, nowMs);
    let result: FecReceiveResult = 'fec';
    if (fec.index < fec.k) {
      // As deployed: a data packet is delivered unless it is a duplicate (the decoder may still find it
      // inconsistent with its block, which only stops it from being used for a rebuild).
      if (dec.lastWasDuplicate) {
        this.counters.duplicates++;
        result = 'duplicate';
      } else {
        this.counters.received++;
        this.o.deliver(payload, false);
        result = 'data';
      }
    }
    if (rebuilt !== null) {
      this.counters.recovered++;
      this.o.deliver(rebuilt.payload, true);
    }
    return result;
  }

  private receiveV3(msg: Uint8Array, nowMs: number): FecReceiveResult {
    const ext = this.ext;
    if (readV3Extension(msg, ext) !== null) {
      this.counters.invalid++;
      return 'invalid';
    }
    const payload = msg.subarray(ext.payloadOffset);
    if (this.v3Dec === null) {
      this.v3Dec = new SlidingDecoder(this.deliverV3);
      this.lastReportMs = nowMs; // the first report covers a full interval
    }
    const dec = this.v3Dec;
    if (ext.kind === V3Kind.SOURCE) {
      const r = dec.source(ext.id, payload);
      if (r === 'data') this.counters.received++;
      else if (r === 'duplicate') this.counters.duplicates++;
      else this.counters.invalid++;
      return r;
    }
    if (ext.kind === V3Kind.REPAIR) {
      const before = dec.invalidCount;
      dec.repair(ext.id, ext.w, ext.key, payload);
      if (dec.invalidCount > before) {
        this.counters.invalid++;
        return 'invalid';
      }
      return 'fec';
    }
    const report = decodeV3Report(payload);
    if (report === null) {
      this.counters.invalid++;
      return 'invalid';
    }
    this.rate?.onReport(report);
    return 'fec';
  }
}
