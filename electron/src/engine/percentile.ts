/** Nearest-rank percentile of `values` (0..100); NaN when empty. Does not modify `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
