/**
 * Repair coefficients of the v3 code. A repair names its coefficients by its key, in the spirit of
 * RFC 8681's repair key, so nothing but the 24-byte header travels. They form a Cauchy matrix over GF(256):
 *
 *   c(key, id) = 1 / (x ⊕ y)      x = 0x80 | key   (key 0..127),   y = id mod 128
 *
 * x and y never meet (the high bit tells them apart), so x ⊕ y ≠ 0, and every square submatrix of a Cauchy
 * matrix is invertible: L lost sources are always rebuilt from any L repairs with distinct keys that each
 * cover all L — whatever the pattern, no bad luck as with pseudo-random coefficients. Source ids within
 * the decoder's window (64) are distinct mod 128; senders cycle the key through 0..127.
 */
import { GF_EXP, GF_LOG } from './gf256.js';

/** Keys are 7 bits: the high bit of the key byte is reserved (0). */
export const FEC_V3_KEYS = 128;

/** The coefficient of source `id` in the repair with `key`. */
export function v3Coefficient(key: number, id: number): number {
  return GF_EXP[255 - GF_LOG[(0x80 | (key & 0x7f)) ^ (id & 0x7f)]!]!;
}
