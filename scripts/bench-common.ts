// What the benchmarks share: percentiles and the machine's load.
import { loadavg } from 'node:os';

/** Nearest-rank percentile. */
export const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** The load average, as three figures. */
export const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
