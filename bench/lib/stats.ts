/** Small statistics for the bench: medians of samples and of pairwise ratios. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const max = (values: number[]): number => (values.length ? Math.max(...values) : NaN);

/** Median of a[i] / b[i]: each pair ran back to back, so a load spike hits both sides. */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
