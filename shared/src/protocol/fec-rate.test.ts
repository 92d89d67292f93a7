import { describe, expect, it } from 'vitest';

import { RepairRate, budgetCap } from './fec-rate.js';
import { LossMeter, decodeV3Report, encodeV3Report, type V3Report } from './fec-v3-report.js';

const report = (received: number, lost: number, bursts = lost, maxBurst = lost > 0 ? 1 : 0): V3Report => ({
  received,
  lost,
  bursts,
  maxBurst,
  unrecovered: 0,
});

/** A rate fed `n` sources at `intervalMs` and then `reports`. */
function settled(budget: 'balanced' | 'strong', intervalMs: number, reports: V3Report[]): RepairRate {
  const r = new RepairRate(budget);
  for (let i = 0; i < 20; i++) r.afterSource(i * intervalMs);
  for (const x of reports) r.onReport(x);
  return r;
}

describe('loss meter and report', () => {
  it('counts gaps in the header sequence as losses and runs, and takes one back for a late packet', () => {
    const m = new LossMeter();
    for (const s of [10, 11, 14, 15, 16, 20, 12]) m.observe(s);
    // 12, 13 missing (run of 2), 17..19 (run of 3); 12 arrives late.
    expect(m.take(1)).toEqual({ received: 7, lost: 4, bursts: 2, maxBurst: 3, unrecovered: 1 });
    expect(m.take(0)).toEqual({ received: 0, lost: 0, bursts: 0, maxBurst: 0, unrecovered: 0 });
    const w = new LossMeter();
    w.observe(0xffff);
    w.observe(1); // wraps: 0 missing
    expect(w.take(0)).toMatchObject({ received: 2, lost: 1 });
  });

  it('encodes to 8 bytes, big-endian, saturating', () => {
    const bytes = encodeV3Report({ received: 300, lost: 70_000, bursts: 400, maxBurst: 3, unrecovered: 2 });
    expect([...bytes]).toEqual([0x01, 0x2c, 0xff, 0xff, 0xff, 0x03, 0x00, 0x02]);
    expect(decodeV3Report(bytes)).toEqual({
      received: 300,
      lost: 65535,
      bursts: 255,
      maxBurst: 3,
      unrecovered: 2,
    });
    expect(decodeV3Report(bytes.subarray(0, 7))).toBeNull();
  });
});

describe('repair rate', () => {
  it('follows the reported loss, within the budget', () => {
    const at = (p: number): number =>
      settled(
        'balanced',
        2,
        Array.from({ length: 12 }, () => report(1000 - p * 1000, p * 1000)),
      ).ratio();
    const ratios = [0, 0.01, 0.05, 0.1, 0.2].map(at);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]!).toBeGreaterThanOrEqual(ratios[i - 1]!);
    expect(ratios[0]!).toBeLessThan(0.1); // a clean link costs little
    expect(ratios[1]!).toBeLessThanOrEqual(budgetCap('balanced', 0.0101));
    expect(ratios[4]!).toBeLessThanOrEqual(1);
    const strong = settled(
      'strong',
      2,
      Array.from({ length: 12 }, () => report(800, 200)),
    ).ratio();
    expect(strong).toBeGreaterThan(ratios[4]!);
  });

  it('sends more repairs per packet at low packet rates (a lost packet must not wait long)', () => {
    const reports = Array.from({ length: 12 }, () => report(970, 30));
    const slow = settled('balanced', 1000 / 64, reports).ratio();
    const fast = settled('balanced', 1000 / 512, reports).ratio();
    expect(slow).toBeGreaterThan(fast);
  });

  it('sends more for bursty loss than for the same loss in singles', () => {
    const singles = settled(
      'strong',
      1,
      Array.from({ length: 12 }, () => report(900, 100, 100, 1)),
    ).ratio();
    const bursts = settled(
      'strong',
      1,
      Array.from({ length: 12 }, () => report(900, 100, 33, 3)),
    ).ratio();
    expect(bursts).toBeGreaterThan(singles);
  });

  it('keeps its rate at 1% through a few clean reports, and meets loss that starts within one report', () => {
    const r = settled(
      'balanced',
      1000 / 128,
      Array.from({ length: 12 }, () => report(990, 10)),
    );
    const before = r.ratio();
    // At 1% a 100-datagram report sees nothing a third of the time: three in a row must not halve the rate.
    for (let i = 0; i < 3; i++) r.onReport(report(100, 0));
    expect(r.ratio()).toBeGreaterThan(0.7 * before);
    // Loss jumps to 20%: one report of it takes the estimate most of the way.
    r.onReport(report(160, 40, 40));
    expect(r.estimatedLoss).toBeGreaterThan(0.05);
    expect(r.ratio()).toBe(budgetCap('balanced', r.estimatedLoss));
  });

  it('paces repairs by credit: r = 0.5 means one repair after every other source', () => {
    const r = new RepairRate('strong');
    for (let i = 0; i < 8; i++) r.onReport(report(750, 250)); // heavy loss: strong's budget is large
    const counts = Array.from({ length: 10 }, (_, i) => r.afterSource(i * 1000));
    expect(counts.every((n) => n >= 0 && n <= 2)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });

  it('starts from a seed instead of the 1% guess, weighed as the datagrams behind it', () => {
    const blind = new RepairRate('balanced');
    expect(blind.ratio()).toBe(budgetCap('balanced', 0.01));
    expect(blind.estimate()).toBeNull();
    const seeded = new RepairRate('balanced', { loss: 0.08, meanBurst: 2, datagrams: 1000 });
    expect(seeded.estimatedLoss).toBe(0.08);
    expect(seeded.estimatedBurst).toBe(2);
    expect(seeded.ratio()).toBe(budgetCap('balanced', 0.08));
    expect([0, 1, 2, 3].map((i) => seeded.afterSource(i * 8))).toEqual([1, 1, 1, 1]);
    // A clean first report moves a 1000-datagram seed a little, the guess's 100 a lot.
    const weak = new RepairRate('balanced', { loss: 0.08, meanBurst: 1, datagrams: 0 });
    seeded.onReport(report(100, 0));
    weak.onReport(report(100, 0));
    expect(seeded.estimatedLoss).toBeGreaterThan(0.07);
    expect(weak.estimatedLoss).toBeLessThan(0.05);
    expect(seeded.estimate()).toEqual({ loss: seeded.estimatedLoss, meanBurst: 2, datagrams: 1000 });
    // Once a report is in, a seed no longer applies; nonsense seeds never do.
    seeded.seed({ loss: 0.5, meanBurst: 1, datagrams: 0 });
    expect(seeded.estimatedLoss).toBeGreaterThan(0.07);
    expect(seeded.estimatedLoss).toBeLessThan(0.1);
    const odd = new RepairRate('balanced', { loss: Number.NaN, meanBurst: Number.NaN, datagrams: -5 });
    expect(odd.estimatedLoss).toBe(0.01);
  });
});
