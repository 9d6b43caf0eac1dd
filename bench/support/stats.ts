// What a benchmark reports of its timings.

/** The p-th percentile (0–100) of the values, by the nearest rank below. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
