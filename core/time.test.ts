import { describe, expect, it } from 'vitest';
import { DAY_MS, utcDay } from './time.js';

describe('utcDay', () => {
  it('gives the UTC date of any time, whichever day it was asked about last', () => {
    const midnight = Date.UTC(2026, 10, 26);
    const times = [
      midnight,
      midnight + DAY_MS - 1,
      midnight + DAY_MS,
      midnight - 1,
      midnight + 5,
      0,
      -1,
      Date.UTC(1969, 11, 30, 12),
      midnight + 12 * DAY_MS + 1,
      midnight + 1,
    ];
    for (const ms of [...times, ...times.reverse()]) expect(utcDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
  });

  it('throws on a time that is not one, as Date does', () => {
    utcDay(Date.UTC(2026, 10, 26));
    expect(() => utcDay(Number.NaN)).toThrow(RangeError);
  });
});
