import dgram from 'node:dgram';

import { afterEach, describe, expect, it } from 'vitest';

import { EchoServer } from './echo-server.js';
import { burstModel, gilbertElliottLoss, gilbertElliottLossModel } from './loss-model.js';
import { LossyLink, type LossyLinkOptions } from './lossy-link.js';
import { Prng } from './prng.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Sends `n` numbered datagrams through a link in front of an echo server; returns what came back, in order. */
async function roundTrip(
  options: Omit<LossyLinkOptions, 'listen' | 'forward'>,
  n: number,
  spacingEvery = 10,
): Promise<{ arrivals: number[]; link: LossyLink }> {
  const echo = await EchoServer.start();
  cleanups.push(() => echo.stop());
  const link = await LossyLink.start({
    listen: { host: '127.0.0.1', port: 0 },
    forward: { host: '127.0.0.1', port: echo.port },
    ...options,
  });
  cleanups.push(() => link.stop());
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  const arrivals: number[] = [];
  sock.on('message', (m) => arrivals.push(m.readUInt32BE(0)));
  await new Promise<void>((r) => sock.bind({ address: '127.0.0.1', port: 0 }, () => r()));
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(64);
    b.writeUInt32BE(i, 0);
    sock.send(b, link.port, '127.0.0.1');
    // Pace the sender so the kernel never drops on its own: only the link may lose packets.
    if (i % spacingEvery === spacingEvery - 1) await new Promise((r) => setTimeout(r, 1));
  }
  const delay = (options.delayMs ?? 0) * 2 + (options.jitterMs ?? 0) * 2 + 100;
  let last = -1;
  while (arrivals.length !== last) {
    last = arrivals.length;
    await new Promise((r) => setTimeout(r, delay));
  }
  return { arrivals, link };
}

describe('loss models', () => {
  it('burstModel hits the requested average loss and mean burst length', () => {
    const ge = burstModel(0.05, 4);
    expect(gilbertElliottLoss(ge)).toBeCloseTo(0.05, 10);
    const model = gilbertElliottLossModel(ge);
    const rng = new Prng(99);
    let lost = 0;
    let bursts = 0;
    let prev = false;
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const d = model.drop(rng);
      if (d) lost++;
      if (d && !prev) bursts++;
      prev = d;
    }
    expect(lost / N).toBeGreaterThan(0.045);
    expect(lost / N).toBeLessThan(0.055);
    expect(lost / bursts).toBeGreaterThan(3.6);
    expect(lost / bursts).toBeLessThan(4.4);
  });

  it('rejects impossible parameters', () => {
    expect(() => burstModel(1, 2)).toThrow(RangeError);
    expect(() => burstModel(0.1, 0.5)).toThrow(RangeError);
  });
});

describe('LossyLink (real UDP on loopback)', () => {
  it('drops ~p of packets each way with iid loss, and counts them', async () => {
    const { arrivals, link } = await roundTrip({ loss: 0.1, seed: 7 }, 4000);
    const s = link.stats();
    expect(s.up.received).toBe(4000);
    expect(s.up.dropped + s.up.forwarded).toBe(4000);
    expect(s.down.received).toBe(s.up.forwarded);
    // Binomial(4000, 0.1): sd ≈ 19; ±100 is > 5 sigma.
    expect(s.up.dropped).toBeGreaterThan(300);
    expect(s.up.dropped).toBeLessThan(500);
    expect(arrivals.length).toBe(s.down.forwarded);
    expect(arrivals.length / 4000).toBeGreaterThan(0.77);
    expect(arrivals.length / 4000).toBeLessThan(0.85);
  });

  it('is reproducible: the same seed loses the same packets, another seed other ones', async () => {
    const a = await roundTrip({ loss: 0.2, seed: 1234 }, 1000);
    const b = await roundTrip({ loss: 0.2, seed: 1234 }, 1000);
    const c = await roundTrip({ loss: 0.2, seed: 4321 }, 1000);
    expect(a.arrivals).toEqual(b.arrivals);
    expect(a.arrivals).not.toEqual(c.arrivals);
  });

  it('loses in bursts with a Gilbert–Elliott model', async () => {
    const { link, arrivals } = await roundTrip(
      { up: { burst: burstModel(0.1, 5) }, down: {}, seed: 3 },
      5000,
    );
    expect(link.stats().down.dropped).toBe(0);
    const got = new Set(arrivals);
    let lost = 0;
    let bursts = 0;
    for (let i = 0; i < 5000; i++) {
      if (!got.has(i)) {
        lost++;
        if (i === 0 || got.has(i - 1)) bursts++;
      }
    }
    expect(lost / 5000).toBeGreaterThan(0.06);
    expect(lost / 5000).toBeLessThan(0.14);
    expect(lost / bursts).toBeGreaterThan(3); // iid loss at 10% would give ~1.1
  });

  it('duplicates, reorders and delays', async () => {
    const t0 = performance.now();
    const dup = await roundTrip({ duplicate: 0.1, seed: 5 }, 2000);
    expect(dup.link.stats().up.duplicated).toBeGreaterThan(130);
    expect(dup.link.stats().up.duplicated).toBeLessThan(270);
    expect(dup.arrivals.length).toBeGreaterThan(2000 + 260); // ~10% each way, compounded
    const re = await roundTrip({ up: { reorder: 0.05 }, down: {}, seed: 6 }, 2000, 10);
    let inversions = 0;
    for (let i = 1; i < re.arrivals.length; i++) if (re.arrivals[i]! < re.arrivals[i - 1]!) inversions++;
    expect(re.link.stats().up.reordered).toBeGreaterThan(50);
    expect(inversions).toBeGreaterThan(20);
    expect(new Set(re.arrivals).size).toBe(2000);
    const d = await roundTrip({ delayMs: 40, jitterMs: 5, seed: 8 }, 50);
    expect(d.arrivals.length).toBe(50);
    // Jitter alone keeps order.
    expect(d.arrivals).toEqual([...d.arrivals].sort((x, y) => x - y));
    expect(performance.now() - t0).toBeGreaterThan(80);
  });
});
