/**
 * FEC benchmark: off, v2 K = 4 and v3 adaptive at iid 1/5/10/20% and bursty 5% (mean burst 3), for
 * 200-byte game packets at 64, 128 and 512 pps, both directions lossy.
 * - Socket level: the real engine and relay on loopback, one seeded lossy link between them (both ways),
 *   game-like traffic to an echo server; residual round-trip loss, bytes per game packet each way relative
 *   to FEC off, and the recovery delay of rebuilt packets (their RTT minus that of their untouched neighbours).
 * - Code level: the same FEC path (`FecLink`) in simulated time (`simulateFec`): deterministic, larger
 *   samples, no wall-clock noise, per direction.
 * - Codec CPU: microseconds per game packet for the pure encoders and decoders.
 */
import type { Relay } from '@lightspeed/proxy-server';
import { FecDecoder, FecEncoder, SlidingDecoder, SlidingEncoder, type FecBudget } from '@lightspeed/shared';
import {
  DropTracker,
  EchoServer,
  GameTrafficClient,
  LossyLink,
  burstModel,
  delayLowerBoundMs,
  repairBudget,
  simulateFec,
  type GilbertElliott,
} from '@lightspeed/shared/node';

import type { Percentiles } from './benchmarks-md.js';
import type { DelayTargetResult } from './fec-delay-targets.js';
import type { FecTargetRun } from './fec-target-runs.js';
import { BoostEngine } from '../engine/index.js';
import { percentile } from '../engine/percentile.js';

export type FecMode = 'off' | 'xor4' | 'adaptive';

export const FEC_MODES: { mode: FecMode; label: string; fecK: number; fecAdaptive?: FecBudget }[] = [
  { mode: 'off', label: 'off', fecK: 0 },
  { mode: 'xor4', label: 'v2 K = 4', fecK: 4 },
  { mode: 'adaptive', label: 'v3 adaptive', fecK: 4, fecAdaptive: 'balanced' },
];

interface Scenario {
  name: string;
  loss?: number;
  burst?: GilbertElliott;
  iid: boolean;
  /** The byte target at this loss (bytes ÷ FEC off). */
  byteLimit: number;
}

export const FEC_SCENARIOS: Scenario[] = [
  { name: 'iid 1%', loss: 0.01, iid: true, byteLimit: 1.3 },
  { name: 'iid 5%', loss: 0.05, iid: true, byteLimit: 2 },
  { name: 'iid 10%', loss: 0.1, iid: true, byteLimit: 2 },
  { name: 'iid 20%', loss: 0.2, iid: true, byteLimit: 2 },
  { name: 'bursty 5% (mean burst 3)', burst: burstModel(0.05, 3), iid: false, byteLimit: 2 },
];

export const FEC_RATES = [64, 128, 512];
const SIZE = 200;

export interface FecSocketRow {
  scenario: string;
  pps: number;
  mode: FecMode;
  packets: number;
  rawLossUp: number;
  rawLossDown: number;
  /** Game packets whose echo never came back (either direction lost it for good). */
  residualLoss: number;
  /** Packets the link dropped that still reached the game (rebuilt, either direction). */
  recovered: number;
  bytesUpPerPacket: number;
  bytesDownPerPacket: number;
  bytesUpVsOff: number;
  bytesDownVsOff: number;
  recoveryDelayMs: Percentiles;
  /** Wire version the engine ended with (3 when v3 was negotiated). */
  fecVersion: number;
  extraMs?: number[];
}

export interface FecSimRow {
  scenario: string;
  pps: number;
  mode: FecMode;
  packets: number;
  residualUp: number;
  residualDown: number;
  residualRoundTrip: number;
  bytesUpVsOff: number;
  bytesDownVsOff: number;
  /** Both directions pooled. */
  recoveryDelayMs: Percentiles;
  /** iid rows: the least p99 any code reaches within the scenario's byte target (`delayLowerBoundMs`). */
  delayBoundMs?: number;
  recovered: number;
}

export interface FecBenchResult {
  packetSize: number;
  socket: { packetsPerRun: Record<string, number>; rows: FecSocketRow[] };
  sim: {
    packetsPerDirection: number;
    rows: FecSimRow[];
    /** v3 adaptive, the four iid losses pooled, both directions: recovery delay p99 (ms) by rate. */
    iidAdaptiveDelayP99Ms: Record<string, number>;
  };
  codecMicros: { v2PerPacket: number; v3PerPacket: number };
  /** v3 adaptive at 128 pps, long socket-level runs for the residual and byte targets. */
  targetRuns: FecTargetRun[];
  /** The delay target against the bound, an ideal code and ours (simulated, large samples). */
  delayTargets: DelayTargetResult;
}

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
};
const pct = (values: number[]): Percentiles => ({
  p50: round(percentile(values, 50), 3),
  p99: round(percentile(values, 99), 3),
  n: values.length,
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function socketRun(
  relay: Relay,
  sc: Scenario,
  pps: number,
  mode: (typeof FEC_MODES)[number],
  count: number,
  seed: number,
  /** Rebuilt packets sent in the session's first `skipDelayMs` are left out of its recovery delays. */
  skipDelayMs = 0,
): Promise<FecSocketRow> {
  // Its own echo server, so that the replies it sends (the downstream game packets) are this run's.
  const echo = await EchoServer.start();
  const drops = new DropTracker();
  const droppedBytes = { up: 0, down: 0 };
  const link = await LossyLink.start({
    listen: { host: '127.0.0.1', port: 0 },
    forward: { host: '127.0.0.1', port: relay.dataPort },
    ...(sc.burst ? { burst: sc.burst } : { loss: sc.loss ?? 0 }),
    seed,
    onDrop: (direction, msg) => {
      droppedBytes[direction] += msg.length;
      drops.onDrop(direction, msg);
    },
  });
  const engine = new BoostEngine({ statsIntervalMs: 200, missesForFailover: 1_000_000 });
  await engine.start({
    routes: [{ server: `127.0.0.1:${echo.port}` }],
    relays: [{ host: '127.0.0.1', port: link.port }],
    fecK: mode.fecK,
    ...(mode.fecAdaptive ? { fecAdaptive: mode.fecAdaptive } : {}),
  });
  const game = await GameTrafficClient.start({
    target: { host: '127.0.0.1', port: engine.getRoutes()[0]!.localPort },
    pps,
    size: SIZE,
    count,
  });
  await game.finished();
  await sleep(700);
  const fecVersion = engine.getStats()?.fecVersion ?? (mode.fecK === 0 ? 1 : 2);
  await engine.stop();
  await game.close();
  await link.stop();
  const replies = echo.packets;
  await echo.stop();
  const ls = link.stats();
  let received = 0;
  let recovered = 0;
  const extra: number[] = [];
  const isClean = (seq: number): boolean => !drops.dropped.has(seq) && !Number.isNaN(game.rtt[seq] ?? NaN);
  const firstTimed = Math.ceil((skipDelayMs * pps) / 1000);
  for (let seq = 0; seq < game.sent; seq++) {
    const rtt = game.rtt[seq]!;
    if (Number.isNaN(rtt)) continue;
    received++;
    if (!drops.dropped.has(seq)) continue;
    recovered++;
    if (seq < firstTimed) continue;
    const around: number[] = [];
    for (let d = 1; d <= 6 && around.length < 8; d++) {
      if (isClean(seq - d)) around.push(game.rtt[seq - d]!);
      if (isClean(seq + d)) around.push(game.rtt[seq + d]!);
    }
    if (around.length > 0) extra.push(Math.max(0, rtt - percentile(around, 50)));
  }
  return {
    scenario: sc.name,
    pps,
    mode: mode.mode,
    packets: game.sent,
    rawLossUp: round(ls.up.dropped / Math.max(1, ls.up.received)),
    rawLossDown: round(ls.down.dropped / Math.max(1, ls.down.received)),
    residualLoss: round(1 - received / Math.max(1, game.sent), 5),
    recovered,
    // Bytes each side sent (forwarded + dropped) per game packet it carried.
    bytesUpPerPacket: round((ls.up.bytes + droppedBytes.up) / Math.max(1, game.sent), 1),
    bytesDownPerPacket: round((ls.down.bytes + droppedBytes.down) / Math.max(1, replies), 1),
    bytesUpVsOff: 0,
    bytesDownVsOff: 0,
    recoveryDelayMs: pct(extra),
    fecVersion,
    extraMs: extra,
  };
}

/** Socket-level runs: every scenario × rate × mode, two runs at a time (more would delay timers). */
export async function measureFecSockets(
  relay: Relay,
  quick: boolean,
  log: (m: string) => void,
): Promise<FecBenchResult['socket']> {
  const seconds = quick ? 4 : 16;
  const packetsPerRun = Object.fromEntries(FEC_RATES.map((r) => [String(r), Math.round(seconds * r)]));
  const rows: FecSocketRow[] = [];
  for (const [i, sc] of FEC_SCENARIOS.entries()) {
    for (const pps of FEC_RATES) {
      log(
        `fec sockets: ${sc.name} at ${pps} pps (off, v2 K = 4, v3 adaptive; ${packetsPerRun[pps]} packets each)`,
      );
      const batch: FecSocketRow[] = [];
      for (let j = 0; j < FEC_MODES.length; j += 2) {
        const modes = FEC_MODES.slice(j, j + 2);
        batch.push(
          ...(await Promise.all(
            modes.map((m) => socketRun(relay, sc, pps, m, packetsPerRun[pps]!, 2000 + i * 10 + pps)),
          )),
        );
      }
      const off = batch.find((r) => r.mode === 'off')!;
      for (const r of batch) {
        r.bytesUpVsOff = round(r.bytesUpPerPacket / off.bytesUpPerPacket, 3);
        r.bytesDownVsOff = round(r.bytesDownPerPacket / off.bytesDownPerPacket, 3);
      }
      rows.push(...batch);
    }
  }
  return { packetsPerRun, rows };
}

/** The same matrix in simulated time: deterministic. */
export function measureFecSim(quick: boolean): FecBenchResult['sim'] {
  const packets = quick ? 5000 : 20_000;
  const rows: FecSimRow[] = [];
  const pooled: Record<string, number[]> = {};
  for (const [i, sc] of FEC_SCENARIOS.entries()) {
    for (const pps of FEC_RATES) {
      for (const m of FEC_MODES) {
        const r = simulateFec({
          setting:
            m.fecAdaptive !== undefined
              ? { kind: 'adaptive', budget: m.fecAdaptive }
              : m.fecK === 0
                ? { kind: 'off' }
                : { kind: 'xor', k: m.fecK },
          pps,
          size: SIZE,
          packets,
          loss: sc.burst ? { name: sc.name, burst: sc.burst } : { name: sc.name, loss: sc.loss ?? 0 },
          seed: 3000 + i,
        });
        rows.push({
          scenario: sc.name,
          pps,
          mode: m.mode,
          packets,
          residualUp: round(r.up.residualLoss, 6),
          residualDown: round(r.down.residualLoss, 6),
          residualRoundTrip: round(1 - (1 - r.up.residualLoss) * (1 - r.down.residualLoss), 6),
          bytesUpVsOff: round(r.up.bytesVsOff, 3),
          bytesDownVsOff: round(r.down.bytesVsOff, 3),
          recoveryDelayMs: pct([...r.up.delaysMs, ...r.down.delaysMs]),
          ...(sc.iid && sc.loss !== undefined
            ? {
                delayBoundMs: round(
                  delayLowerBoundMs(
                    [{ loss: sc.loss, repairsPerSource: repairBudget(sc.byteLimit, SIZE) }],
                    1000 / pps,
                  ),
                  3,
                ),
              }
            : {}),
          recovered: r.up.recovered + r.down.recovered,
        });
        if (sc.iid && m.mode === 'adaptive') (pooled[pps] ??= []).push(...r.up.delaysMs, ...r.down.delaysMs);
      }
    }
  }
  const iidAdaptiveDelayP99Ms = Object.fromEntries(
    Object.entries(pooled).map(([pps, d]) => [pps, round(percentile(d, 99), 3)]),
  );
  return { packetsPerDirection: packets, rows, iidAdaptiveDelayP99Ms };
}

/**
 * Microseconds of codec work per game packet, both ends (encode + decode): v2 with a parity per packet
 * (what time-bounded blocks do at game rates) and v3 at its heaviest (W = 32, a repair after every packet,
 * 5% of sources lost).
 */
export function measureCodecMicros(quick: boolean): FecBenchResult['codecMicros'] {
  const n = quick ? 5000 : 40_000;
  const p = new Uint8Array(SIZE).fill(7);
  let t = performance.now();
  const enc = new SlidingEncoder();
  const dec = new SlidingDecoder(() => undefined);
  for (let i = 0; i < n; i++) {
    const id = enc.add(p, i * 7.8);
    if (i % 20 !== 5) dec.source(id, p);
    const r = enc.repair(i * 7.8)!;
    dec.repair(r.end, r.w, r.key, r.payload);
  }
  const v3 = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  const e2 = new FecEncoder(4);
  const d2 = new FecDecoder();
  for (let i = 0; i < n; i++) {
    const blockId = e2.blockId;
    const index = e2.add(p);
    d2.receive({ blockId, index, k: 4 }, p, i);
    const parity = e2.flush()!;
    d2.receive({ blockId: parity.blockId, index: parity.k, k: parity.k }, parity.payload, i);
  }
  const v2 = ((performance.now() - t) * 1000) / n;
  return { v2PerPacket: round(v2, 2), v3PerPacket: round(v3, 2) };
}
