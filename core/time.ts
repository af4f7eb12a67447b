/** Milliseconds in an hour. */
export const HOUR_MS = 3600 * 1000;
/** Milliseconds in a day. */
export const DAY_MS = 24 * HOUR_MS;

// The ISO date is computed once per day of the clock: on the hot path it
// costs more than everything else about the check.
let dayStart = 0;
let dayEnd = 0;
let lastDay = '';

/** The date `n` days after (or before) `day`, both `YYYY-MM-DD`. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC day of an epoch-milliseconds time, as `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  // Written so that NaN also misses, and throws as toISOString does.
  if (!(ms >= dayStart && ms < dayEnd)) {
    lastDay = new Date(ms).toISOString().slice(0, 10);
    dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    dayEnd = dayStart + DAY_MS;
  }
  return lastDay;
}
