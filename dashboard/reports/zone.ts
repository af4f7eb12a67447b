/**
 * Days in a site's time zone. A report's days are the site's local days:
 * 23 or 25 hours long across a daylight-saving change. Dates are
 * `YYYY-MM-DD` strings, which sort and compare as dates.
 */
import { addDays } from '../../core/time.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  // Names are matched without regard to case (eUrOpE/bErLiN): keep the cache bounded.
  if (format === undefined && formatters.size > 1000) formatters.clear();
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Whether Node knows this IANA time zone name. */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's wall-clock time at `ms`, read as if it were UTC: the offset is the difference. */
function wallClock(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
}

/** The local date of an instant in `zone`. */
export function localDay(ms: number, zone: string): string {
  return new Date(wallClock(Math.floor(ms / 1000) * 1000, zone)).toISOString().slice(0, 10);
}

/** The first instant of a local date in `zone` (the first that exists, where midnight is skipped). */
export function dayStart(day: string, zone: string): number {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  // Try the offsets around midnight; the earliest instant whose local date is `day` is the start.
  let start = midnight - (wallClock(midnight, zone) - midnight);
  const again = midnight - (wallClock(start, zone) - start);
  if (again !== start && localDay(again, zone) === day) start = Math.min(start, again);
  // Where midnight does not exist (a DST jump at 00:00), walk forward to the first local instant of the day.
  while (localDay(start, zone) !== day) start += 15 * 60_000;
  while (localDay(start - 15 * 60_000, zone) === day) start -= 15 * 60_000;
  return start;
}

/** A local date's [start, end) in epoch milliseconds. */
export function dayBounds(day: string, zone: string): readonly [number, number] {
  return [dayStart(day, zone), dayStart(addDays(day, 1), zone)];
}

/** Every date from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The local hour (0–23) of an instant, for labels. */
export function localHour(ms: number, zone: string): number {
  return new Date(wallClock(ms, zone)).getUTCHours();
}

/**
 * The local days of instants, remembered per zone: a chunk's events fall
 * on a day or two, and asking Intl for each one costs more than the fold.
 */
export class LocalDays {
  private readonly known = new Map<string, Array<{ day: string; start: number; end: number }>>();

  /** The local day that holds `ts` in `zone`, with its bounds. */
  of(ts: number, zone: string): { day: string; start: number; end: number } {
    let list = this.known.get(zone);
    if (list === undefined) {
      list = [];
      this.known.set(zone, list);
    }
    const hit = list.find((d) => ts >= d.start && ts < d.end);
    if (hit !== undefined) return hit;
    const day = localDay(ts, zone);
    const [start, end] = dayBounds(day, zone);
    const found = { day, start, end };
    list.push(found);
    return found;
  }
}
