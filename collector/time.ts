/** Milliseconds in a day. */
export const DAY_MS = 24 * 3600 * 1000;

// The ISO date is computed once per millisecond of the clock: on the hot
// path it costs more than everything else about the check.
let lastMs = Number.NaN;
let lastDay = '';

/** The UTC day of an epoch-milliseconds time, as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastDay = new Date(ms).toISOString().slice(0, 10);
  }
  return lastDay;
}
