/**
 * `npm run bench -w shared`: codec throughput, printed as JSON. Each figure comes with a baseline
 * measured in the same run on the same bytes (a plain copy), because absolute numbers on a shared
 * machine mean little and ratios travel.
 */
import { FecDecoder } from '../protocol/fec-decoder.js';
import { FecEncoder } from '../protocol/fec-encoder.js';
import { HEADER_V2_LEN, decodeHeader, encodeHeader, type HeaderV2 } from '../protocol/header.js';

const BUDGET_MS = 400;

/** Runs `fn` repeatedly for about BUDGET_MS and returns iterations per second (best of 3 rounds). */
function rate(fn: () => void): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < BUDGET_MS) {
      for (let i = 0; i < 256; i++) fn();
      n += 256;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (n * 1000) / elapsed);
  }
  return best;
}

function headerBench(): Record<string, number> {
  const buf = new Uint8Array(64);
  const h: HeaderV2 = {
    version: 2,
    flags: 0,
    token: 7,
    sequence: 0,
    timestampUs: 1,
    srcIp: 0xc0a80164,
    dstIp: 0x681a0132,
    srcPort: 12345,
    dstPort: 7777,
    fec: { blockId: 1, index: 0, k: 4 },
  };
  let sink = 0;
  const roundTrip = rate(() => {
    h.sequence = (h.sequence + 1) & 0xffff;
    encodeHeader(h, buf);
    const r = decodeHeader(buf, 0, 64);
    if (r.ok) sink += r.header.sequence;
  });
  const src = new Uint8Array(HEADER_V2_LEN);
  const copy = rate(() => {
    buf.set(src);
    sink += buf[3]!;
  });
  if (sink === -1) console.log(sink);
  return { encode_decode_ops_per_s: Math.round(roundTrip), baseline_copy_24b_ops_per_s: Math.round(copy) };
}

function fecBench(size: number, k: number): Record<string, number> {
  const payloads = Array.from({ length: k }, (_, i) => new Uint8Array(size).fill(i + 1));
  const enc = new FecEncoder(k);
  const encodeRate = rate(() => {
    for (const p of payloads) enc.add(p);
    enc.flush();
  });
  // Recovery: k-1 data packets and the parity, one data packet lost per block.
  const parity = (() => {
    const e = new FecEncoder(k);
    for (const p of payloads) e.add(p);
    return e.flush()!.payload;
  })();
  const dec = new FecDecoder();
  let block = 0;
  let now = 0;
  const recoverRate = rate(() => {
    block = (block + 1) & 0xffff;
    now += 0.01;
    for (let i = 1; i < k; i++) dec.receive({ blockId: block, index: i, k }, payloads[i]!, now);
    dec.receive({ blockId: block, index: k, k }, parity, now);
  });
  const scratch = new Uint8Array(size);
  const copyRate = rate(() => {
    for (const p of payloads) scratch.set(p);
  });
  const mb = (blocksPerS: number): number => Math.round(((blocksPerS * k * size) / 1e6) * 10) / 10;
  return {
    payload_bytes: size,
    k,
    encode_mb_per_s: mb(encodeRate),
    recover_mb_per_s: mb(recoverRate),
    baseline_copy_mb_per_s: mb(copyRate),
  };
}

const result = {
  bench: 'shared/protocol',
  node: process.version,
  header: headerBench(),
  fec: [fecBench(200, 4), fecBench(1200, 4), fecBench(200, 8), fecBench(1200, 8)],
};
console.log(JSON.stringify(result, null, 2));
