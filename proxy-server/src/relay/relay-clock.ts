const TIME_ORIGIN_MS = performance.timeOrigin;

/** The relay's own timestamp in µs (u32, wrapping) for a `performance.now()` reading. */
export function timestampUs(nowMs: number): number {
  return ((TIME_ORIGIN_MS + nowMs) * 1000) >>> 0;
}
