/** Monotonic clocks for the packet path: wall-clock steps must not bend RTTs or FEC ages. */

/** Monotonic milliseconds (fractional). */
export function nowMs(): number {
  return performance.now();
}

/** Monotonic microseconds as a wrapping u32, the header's timestamp field. */
export function nowUs32(): number {
  return Math.floor(performance.now() * 1000) >>> 0;
}

/** Signed difference a − b of two wrapping u32 microsecond stamps. */
export function diffUs32(a: number, b: number): number {
  return ((a - b) << 0) | 0;
}
