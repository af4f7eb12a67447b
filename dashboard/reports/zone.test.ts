import { describe, expect, it } from 'vitest';
import { addDays } from '../../core/time.js';
import { dayBounds, daysBetween, isTimeZone, localDay, localHour } from './zone.js';

const H = 3600_000;

describe('site time zones', () => {
  it.each([
    ['UTC', '2026-03-08', '2026-03-08T00:00:00Z', 24],
    ['Europe/Berlin', '2026-11-26', '2026-11-25T23:00:00Z', 24],
    // Spring forward: 23 hours. Fall back: 25 hours.
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00Z', 23],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00Z', 25],
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00Z', 23],
    ['Asia/Kolkata', '2026-11-26', '2026-11-25T18:30:00Z', 24],
    ['Pacific/Kiritimati', '2026-11-26', '2026-11-25T10:00:00Z', 24],
    // Midnight itself is skipped here on the day clocks go forward: the day starts at 01:00.
    ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00Z', 23],
  ])('cuts %s %s from %s, %i hours long', (zone, day, start, hours) => {
    const [from, to] = dayBounds(day, zone);
    expect(new Date(from).toISOString()).toBe(new Date(start).toISOString());
    expect((to - from) / H).toBe(hours);
    expect(localDay(from, zone)).toBe(day);
    expect(localDay(from - 1, zone)).toBe(addDays(day, -1));
    expect(localDay(to - 1, zone)).toBe(day);
    expect(localDay(to, zone)).toBe(addDays(day, 1));
  });

  it('reads local hours and days', () => {
    expect(localHour(Date.parse('2026-11-26T23:30:00Z'), 'Europe/Berlin')).toBe(0);
    expect(localDay(Date.parse('2026-11-26T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11-27');
    expect(localDay(Date.parse('2026-11-26T23:30:00Z'), 'America/Los_Angeles')).toBe('2026-11-26');
  });

  it('lists dates across month and year ends', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('knows IANA zone names and refuses others', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
