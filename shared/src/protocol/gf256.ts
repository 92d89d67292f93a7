/**
 * GF(2^8) arithmetic for the v3 sliding-window code: the field of RFC 8681 and Reed–Solomon, polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator 2. Log/exp tables plus one 64 KiB product table
 * (`MUL[a << 8 | b] = a·b`), all `Uint8Array`, built once at load. Addition is XOR.
 */

/** The field's reducing polynomial. */
export const GF_POLY = 0x11d;

/** exp[i] = 2^i for i in 0..509 (doubled so that exp[log a + log b] needs no modulo). */
export const GF_EXP = new Uint8Array(510);
/** log[a] for a in 1..255 (log[0] is unused). */
export const GF_LOG = new Uint8Array(256);
/** MUL[a << 8 | b] = a·b: one load per byte in the inner loops. */
export const GF_MUL = new Uint8Array(65536);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x;
    GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= GF_POLY;
  }
  for (let i = 255; i < 510; i++) GF_EXP[i] = GF_EXP[i - 255]!;
  for (let a = 1; a < 256; a++) {
    const la = GF_LOG[a]!;
    for (let b = 1; b < 256; b++) GF_MUL[(a << 8) | b] = GF_EXP[la + GF_LOG[b]!]!;
  }
}

/** a·b in GF(256). */
export function gfMul(a: number, b: number): number {
  return GF_MUL[((a & 0xff) << 8) | (b & 0xff)]!;
}

/** The multiplicative inverse of a non-zero `a`. Throws on 0: a caller bug, never network input. */
export function gfInv(a: number): number {
  if ((a & 0xff) === 0) throw new RangeError('0 has no inverse in GF(256)');
  return GF_EXP[255 - GF_LOG[a & 0xff]!]!;
}

/** a / b for non-zero `b`. */
export function gfDiv(a: number, b: number): number {
  if ((a & 0xff) === 0) return 0;
  return GF_EXP[GF_LOG[a & 0xff]! + 255 - GF_LOG[b & 0xff]!]!;
}

/** dst[0..len) += c · src[0..len) (the one inner loop of encoding and decoding). */
export function gfMulAdd(dst: Uint8Array, src: Uint8Array, c: number, len: number): void {
  if (c === 0) return;
  if (c === 1) {
    for (let i = 0; i < len; i++) dst[i]! ^= src[i]!;
    return;
  }
  const base = c << 8;
  const mul = GF_MUL;
  for (let i = 0; i < len; i++) dst[i]! ^= mul[base | src[i]!]!;
}

/** buf[0..len) ·= c. */
export function gfScale(buf: Uint8Array, c: number, len: number): void {
  if (c === 1) return;
  const base = c << 8;
  const mul = GF_MUL;
  for (let i = 0; i < len; i++) buf[i] = mul[base | buf[i]!]!;
}
