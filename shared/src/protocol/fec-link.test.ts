import { describe, expect, it } from 'vitest';

import { FecLink, type FecSetting } from './fec-link.js';
import { decodeFecNegotiation } from './fec-negotiation.js';
import { checkTunnelHeader } from './fec-v3-header.js';
import { HEADER_V1_LEN, writeHeaderFields } from './header.js';
import { toHex } from './test-bytes.js';

interface End {
  link: FecLink;
  out: Uint8Array[];
  got: { payload: string; recovered: boolean }[];
}

function end(setting: FecSetting, flushMs = 5): End {
  let seq = 0;
  const e: End = { link: null as unknown as FecLink, out: [], got: [] };
  e.link = new FecLink({
    setting,
    flushMs,
    writeHeader: (buf, version) => {
      writeHeaderFields(buf, 0, version, 0, 7, seq, 1_000_000, 0xc0a80164, 0x681a0132, 12345, 7777);
      seq = (seq + 1) & 0xffff;
    },
    emit: (d) => {
      e.out.push(d);
    },
    deliver: (p, recovered) => e.got.push({ payload: toHex(p), recovered }),
  });
  return e;
}

/** Hands `from`'s datagrams to `to` (v1 delivered as is), dropping those `drop` picks. */
function carry(from: End, to: End, drop: (i: number, d: Uint8Array) => boolean = () => false, now = 0): void {
  const batch = from.out.splice(0);
  batch.forEach((d, i) => {
    if (drop(i, d)) return;
    const v = checkTunnelHeader(d);
    if (v === 1) to.got.push({ payload: toHex(d.subarray(HEADER_V1_LEN)), recovered: false });
    else if (v === 2 || v === 3) to.link.receive(d, v, now);
  });
}

const fill = (char: string, n: number): Uint8Array => new Uint8Array(n).fill(char.charCodeAt(0));

describe('FecLink, v1 and v2 as deployed', () => {
  it('off: v1 datagrams, 20-byte header and the payload', () => {
    const a = end({ kind: 'off' });
    a.link.send(Uint8Array.of(1, 2, 3), 0);
    expect(toHex(a.out[0]!)).toBe('10 07 00 00 00 0f 42 40 c0 a8 01 64 68 1a 01 32 30 39 1e 61 01 02 03');
  });

  it('xor K = 4: the documented data headers and parity vector, byte for byte', () => {
    const a = end({ kind: 'xor', k: 4 });
    for (const p of [fill('A', 10), fill('B', 20), fill('C', 5), fill('D', 13)]) a.link.send(p, 0);
    expect(a.out).toHaveLength(5);
    expect(toHex(a.out[2]!.subarray(0, 24))).toBe(
      '20 07 00 02 00 0f 42 40 c0 a8 01 64 68 1a 01 32 30 39 1e 61 00 00 02 04',
    );
    expect(toHex(a.out[4]!)).toBe(
      '20 07 00 04 00 0f 42 40 c0 a8 01 64 68 1a 01 32 30 39 1e 61 00 00 04 04 ' +
        '04 04 04 04 04 47 47 47 47 47 06 06 06 42 42 42 42 42 42 42 00 16',
    );
  });

  it('xor: a partial block waits flushMs for its parity, then poll sends it with its actual K', () => {
    const a = end({ kind: 'xor', k: 4 }, 5);
    a.link.send(fill('A', 3), 100);
    expect(a.link.dueMs).toBe(105);
    a.link.poll(103);
    expect(a.out).toHaveLength(1);
    a.link.poll(105);
    expect(a.link.dueMs).toBeNull();
    expect(toHex(a.out[1]!.subarray(20))).toBe('00 00 01 01 41 41 41 00 03');
  });

  it('xor: a lost data packet is rebuilt from its parity and delivered once', () => {
    const a = end({ kind: 'xor', k: 2 });
    const b = end({ kind: 'xor', k: 2 });
    a.link.send(fill('A', 4), 0);
    a.link.send(fill('B', 6), 0);
    carry(a, b, (i) => i === 0);
    expect(b.got).toEqual([
      { payload: toHex(fill('B', 6)), recovered: false },
      { payload: toHex(fill('A', 4)), recovered: true },
    ]);
  });
});

describe('FecLink, v3 negotiation', () => {
  it('the offer is "LSF3", version 3, the budget; a v3 relay accepts and both ends switch', () => {
    const client = end({ kind: 'adaptive', budget: 'strong' });
    const relay = end({ kind: 'xor', k: 4 });
    const offer = client.link.offer()!;
    expect(toHex(offer)).toBe('4c 53 46 33 03 02 00 00');
    expect(client.link.version).toBe(2);
    const accept = relay.link.acceptOffer(offer)!;
    expect(decodeFecNegotiation(accept)).toEqual({ version: 3, budget: 'strong' });
    expect(relay.link.version).toBe(3);
    expect(client.link.onHandshakeAnswer(accept)).toBe(true);
    expect(client.link.version).toBe(3);
    expect(client.link.offer()).toBeNull();
  });

  it('until accepted an adaptive client sends v2 K = 4, which a v2-only peer decodes', () => {
    const client = end({ kind: 'adaptive', budget: 'balanced' });
    const deployed = end({ kind: 'xor', k: 4 });
    for (let i = 0; i < 8; i++) client.link.send(fill('x', 10 + i), 0);
    expect(client.out.every((d) => d[0]! >>> 4 === 2 && d[23] === 4)).toBe(true);
    carry(client, deployed, (i) => i === 3);
    expect(deployed.got.filter((g) => !g.recovered)).toHaveLength(7);
    expect(deployed.got.filter((g) => g.recovered)).toHaveLength(1);
  });

  it('an ACK without the accept (an older LightSpeed relay) keeps v2; so does an off session offered v3', () => {
    const client = end({ kind: 'adaptive', budget: 'balanced' });
    expect(client.link.onHandshakeAnswer(new Uint8Array(0))).toBe(false);
    expect(client.link.onHandshakeAnswer(Uint8Array.of(0x4c, 0x53, 0x46, 0x33, 2, 1, 0, 0))).toBe(false);
    expect(client.link.version).toBe(2);
    const off = end({ kind: 'off' });
    expect(off.link.acceptOffer(client.link.offer()!)).toBeNull();
    expect(off.link.version).toBe(1);
  });
});

describe('FecLink, v3', () => {
  function pair(): { c: End; r: End } {
    const c = end({ kind: 'adaptive', budget: 'balanced' });
    const r = end({ kind: 'xor', k: 4 });
    c.link.onHandshakeAnswer(r.link.acceptOffer(c.link.offer()!)!);
    return { c, r };
  }

  it('sources carry the v1 layout plus id; repairs and reports are 8-byte compact headers', () => {
    const { c } = pair();
    c.link.send(fill('A', 5), 0);
    c.link.send(fill('B', 5), 8);
    c.link.send(fill('C', 5), 16);
    c.link.send(fill('D', 5), 24);
    c.link.send(fill('E', 5), 32);
    const src = c.out[0]!;
    expect(toHex(src.subarray(0, 24))).toBe(
      '30 07 00 00 00 0f 42 40 c0 a8 01 64 68 1a 01 32 30 39 1e 61 00 00 00 00',
    );
    const repair = c.out.find((d) => d[0] === 0x38);
    expect(repair).toBeDefined();
    // Blind start: the budget of 1% loss, 0.24 repairs per source, so the first repair follows the fifth
    // source. Token 7, sequence 5, newest id 4, kind 1 with W − 1 = 4, key 0; payload 2 + 5 bytes.
    expect(toHex(repair!.subarray(0, 8))).toBe('38 07 00 05 00 04 44 00');
    expect(repair!.length).toBe(8 + 7);
  });

  it('both ways under loss: every payload arrives once, lost ones rebuilt; reports reach the sender', () => {
    const { c, r } = pair();
    let seed = 99;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
    const sent = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const now = i * 8;
      const p = new Uint8Array(40 + (i % 50));
      p[0] = i >>> 8;
      p[1] = i & 0xff;
      sent.add(toHex(p));
      c.link.send(p, now);
      r.link.send(p, now);
      carry(c, r, () => rand() < 0.1, now);
      carry(r, c, () => rand() < 0.1, now);
    }
    for (const e of [c, r]) {
      const delivered = e.got.map((g) => g.payload);
      expect(new Set(delivered).size).toBe(delivered.length);
      expect(delivered.every((d) => sent.has(d))).toBe(true);
      // Only losses among the last packets, after which no repair came, may stay unrecovered.
      expect(delivered.length).toBeGreaterThan(1990);
      expect(e.got.filter((g) => g.recovered).length).toBeGreaterThan(150);
      expect(e.link.stats().reportsSent).toBeGreaterThan(20);
    }
    // The relay's reports told the client about its direction's 10% loss.
    expect(c.link.estimatedLoss!).toBeGreaterThan(0.06);
    expect(c.link.estimatedLoss!).toBeLessThan(0.14);
  });

  it('the first reports go early (after 24 datagrams), later ones after 100 or 500 ms', () => {
    const { c, r } = pair();
    const reportAt: number[] = [];
    for (let i = 0; i < 300; i++) {
      const before = r.link.stats().reportsSent;
      c.link.send(new Uint8Array(100), i * 8);
      carry(c, r, () => false, i * 8);
      r.link.send(new Uint8Array(100), i * 8);
      if (r.link.stats().reportsSent > before) reportAt.push(i);
      carry(r, c, () => false, i * 8);
    }
    // The client's datagrams (a source and, at first, half a repair each) reach 24 within 20 packets.
    expect(reportAt[0]!).toBeLessThan(20);
    expect(reportAt.slice(0, 4).every((at, i) => i === 0 || at - reportAt[i - 1]! < 20)).toBe(true);
    expect(reportAt[4]! - reportAt[3]!).toBeGreaterThan(40);
  });

  it('repairs follow the reported loss: few on a clean link, many on a bad one', () => {
    const run = (loss: number): number => {
      const { c, r } = pair();
      let n = 0;
      let before = 0;
      for (let i = 0; i < 1000; i++) {
        if (i === 500) before = c.link.stats().fecSent;
        c.link.send(new Uint8Array(100), i * 8);
        r.link.send(new Uint8Array(100), i * 8);
        carry(c, r, () => (n = (n + 1) % 100) < loss * 100, i * 8);
        carry(r, c, () => false, i * 8);
      }
      return (c.link.stats().fecSent - before) / 500; // once the estimate has settled
    };
    const clean = run(0);
    const lossy = run(0.1);
    expect(clean).toBeLessThan(0.1);
    expect(lossy).toBeGreaterThan(0.6);
  });
});

describe('FecLink, v3 seeded with an estimate from the same path', () => {
  /** Repairs after each of the first `n` sources of a fresh v3 client seeded with `seed` (none: blind). */
  function firstRepairs(n: number, seed?: { loss: number; meanBurst: number; datagrams: number }): number {
    const c = end({ kind: 'adaptive', budget: 'balanced' });
    if (seed) c.link.seedEstimate(seed);
    const r = end({ kind: 'xor', k: 4 });
    c.link.onHandshakeAnswer(r.link.acceptOffer(c.link.offer()!)!);
    for (let i = 0; i < n; i++) c.link.send(new Uint8Array(100), i * 8);
    return c.link.stats().fecSent;
  }

  it('starts at the seeded rate from its first packet, without waiting for a report', () => {
    // 10% known from an earlier flow: a repair after every source; blind (1% guessed): one in four or so.
    expect(firstRepairs(12, { loss: 0.1, meanBurst: 1, datagrams: 1000 })).toBe(12);
    expect(firstRepairs(12)).toBeLessThanOrEqual(3);
  });

  it('hands its estimate on once the peer has reported, and a seed given at construction works alike', () => {
    const c = end({ kind: 'adaptive', budget: 'balanced' });
    const r = end({ kind: 'xor', k: 4 });
    c.link.onHandshakeAnswer(r.link.acceptOffer(c.link.offer()!)!);
    expect(c.link.estimate()).toBeNull(); // nothing learned before a report
    let k = 0;
    for (let i = 0; i < 400; i++) {
      c.link.send(new Uint8Array(100), i * 8);
      r.link.send(new Uint8Array(100), i * 8);
      carry(c, r, () => (k = (k + 1) % 10) === 0, i * 8); // 10% of the client's datagrams lost
      carry(r, c, () => false, i * 8);
    }
    const learned = c.link.estimate()!;
    expect(learned.loss).toBeGreaterThan(0.06);
    expect(learned.datagrams).toBeGreaterThan(100);
    let seq = 0;
    const next = new FecLink({
      setting: { kind: 'adaptive', budget: 'balanced' },
      flushMs: 5,
      seed: learned,
      writeHeader: (buf, version) => writeHeaderFields(buf, 0, version, 0, 7, seq++, 0, 1, 2, 3, 4),
      emit: () => undefined,
      deliver: () => undefined,
    });
    next.switchToV3('balanced');
    for (let i = 0; i < 10; i++) next.send(new Uint8Array(100), i * 8);
    expect(next.stats().fecSent).toBe(10);
  });
});
