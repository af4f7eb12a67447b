/**
 * A site's report for a period: the top line against the period before,
 * the chart, and every breakdown. Without filters it reads the roll-ups;
 * with filters it adds up the matching visits that the engine stored
 * (core/db/visit-reports.ts), by the same definitions
 * (aggregate.ts). `rawReport` adds up the raw events instead: the
 * reference that both must equal.
 */
import type { Store } from '../../core/db/connect.js';
import { readReportEvents } from '../../core/db/report-events.js';
import { coverPeriod } from '../../core/db/rollup-blocks.js';
import { breakdown, dailySeries, hourlySeries, sumDays } from '../../core/db/rollup-reads.js';
import { addSums, type BreakdownRow, type HourSums, type Sums, zeroSums } from '../../core/db/rollup-sums.js';
import type { Site } from '../../core/db/schema.js';
import { filteredReport } from '../../core/db/visit-reports.js';
import { HttpError } from '../../core/errors.js';
import { addDays, DAY_MS, HOUR_MS } from '../../core/time.js';
import { sumDay } from './aggregate.js';
import { DIMENSIONS, type Dimension, type Filter, KEEP_NONE, narrowing } from './dimensions.js';
import { dayBounds, daysBetween, localHour } from './zone.js';

/** The periods a report offers. */
export const PERIODS = ['today', 'yesterday', '7d', '30d', 'month', 'last-month', '12mo', 'custom'] as const;
export type PeriodName = (typeof PERIODS)[number];

/** A period of whole local days, both ends included, and how its chart is cut. */
export interface Period {
  name: PeriodName;
  from: string;
  to: string;
  granularity: 'hour' | 'day' | 'month';
}

/** One point of the chart. */
export interface SeriesPoint {
  label: string;
  visitors: number;
  pageviews: number;
}

/** Everything a report page shows but the raw event list. */
export interface Report {
  period: Period;
  totals: Sums;
  /** The period of equal length just before. */
  previous: Sums;
  series: SeriesPoint[];
  breakdowns: Record<Dimension, BreakdownRow[]>;
}

const LONGEST_CUSTOM_DAYS = 2 * 366;

/** Reads the period from a report URL's query; `today` is the site's local date. */
export function parsePeriod(
  query: { period?: string | undefined; from?: string | undefined; to?: string | undefined },
  today: string,
): Period {
  const name = (query.period ?? '30d') as PeriodName;
  const month = today.slice(0, 7);
  const span = (from: string, to: string, fixed?: Period['granularity']): Period => {
    const days = daysBetween(from, to).length;
    return { name, from, to, granularity: fixed ?? (days <= 1 ? 'hour' : days <= 93 ? 'day' : 'month') };
  };
  switch (name) {
    case 'today':
      return span(today, today);
    case 'yesterday':
      return span(addDays(today, -1), addDays(today, -1));
    case '7d':
      return span(addDays(today, -6), today);
    case '30d':
      return span(addDays(today, -29), today);
    case 'month':
      return span(`${month}-01`, today, 'day');
    case 'last-month': {
      const last = addDays(`${month}-01`, -1);
      return span(`${last.slice(0, 7)}-01`, last, 'day');
    }
    case '12mo':
      return span(`${addMonths(month, -11)}-01`, today, 'month');
    case 'custom': {
      const from = query.from ?? '';
      const to = query.to ?? '';
      // A real date (not 2026-02-30), in years the zone database knows.
      const valid = (day: string) => {
        const ms = Date.parse(`${day}T00:00:00Z`);
        return /^(19[7-9]\d|2\d{3})-\d{2}-\d{2}$/.test(day) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
      };
      if (!valid(from) || !valid(to)) {
        const message = 'A custom period needs from and to dates, as in from=2026-11-01&to=2026-11-15.';
        throw new HttpError(400, message, valid(from) ? { to: message } : { from: message });
      }
      if (from > to) throw new HttpError(400, 'A custom period must end on or after its first day.', { to: 'is before from' });
      // Counted from the dates, not by listing them: a range of centuries must not cost a list of centuries.
      if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > LONGEST_CUSTOM_DAYS) {
        throw new HttpError(400, 'A custom period can be at most two years long.', { to: 'is more than two years after from' });
      }
      return span(from, to);
    }
    default:
      throw new HttpError(400, `There is no period "${String(query.period)}": use one of ${PERIODS.join(', ')}.`, {
        period: `must be one of ${PERIODS.join(', ')}`,
      });
  }
}

/** `YYYY-MM` moved by `n` months. */
function addMonths(month: string, n: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The period of equal length just before. */
export function previousPeriod(period: Period): { from: string; to: string } {
  const days = daysBetween(period.from, period.to).length;
  return { from: addDays(period.from, -days), to: addDays(period.from, -1) };
}

/** Loads a report: `limit` rows per breakdown, of the breakdowns asked for (all by default). */
export async function loadReport(
  store: Store,
  site: Site,
  period: Period,
  filters: readonly Filter[],
  limit: number,
  dimensions: readonly Dimension[] = DIMENSIONS,
): Promise<Report> {
  const before = previousPeriod(period);
  if (filters.length > 0) return visitReport(store, site, period, filters, limit, dimensions);
  const { db } = store;
  const [totals, previous] = await Promise.all([
    sumDays(db, site.id, period.from, period.to),
    sumDays(db, site.id, before.from, before.to),
  ]);
  const series =
    period.granularity === 'hour'
      ? hourPoints(await hourlySeries(db, site.id, period.from, period.to), period, site.timezone)
      : dayPoints(await dailySeries(db, site.id, period.from, period.to), period);
  const breakdowns = {} as Record<Dimension, BreakdownRow[]>;
  const cover = await coverPeriod(db, site.id, period.from, period.to);
  for (const dimension of DIMENSIONS) {
    breakdowns[dimension] = dimensions.includes(dimension) ? await breakdown(db, site.id, dimension, cover, limit) : [];
  }
  return { period, totals, previous, series, breakdowns };
}

/** A filtered report, from the engine's visits that match every filter. */
async function visitReport(
  store: Store,
  site: Site,
  period: Period,
  filters: readonly Filter[],
  limit: number,
  dimensions: readonly Dimension[],
): Promise<Report> {
  const sums = await filteredReport(store.db, {
    siteId: site.id,
    from: period.from,
    to: period.to,
    previous: previousPeriod(period),
    filters,
    hourly: period.granularity === 'hour',
    breakdowns: DIMENSIONS.filter((dimension) => dimensions.includes(dimension)).map((dimension) => ({
      dimension,
      keepNone: KEEP_NONE.has(dimension),
    })),
    limit,
  });
  const breakdowns = {} as Record<Dimension, BreakdownRow[]>;
  for (const dimension of DIMENSIONS) breakdowns[dimension] = [];
  for (const row of sums.rows) breakdowns[row.dimension as Dimension].push(row);
  // SQL ranks values by code points; JavaScript by UTF-16 units, as rawReport does. They differ only past U+FFFF.
  for (const dimension of DIMENSIONS) breakdowns[dimension].sort(byRank);
  const series = period.granularity === 'hour' ? hourPoints(sums.hours, period, site.timezone) : dayPoints(sums.days, period);
  return { period, totals: sums.totals, previous: sums.previous, series, breakdowns };
}

/** A breakdown's order: visitors, then page views, most first, then the value. */
function byRank(a: BreakdownRow, b: BreakdownRow): number {
  return b.visitors - a.visitors || b.pageviews - a.pageviews || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/**
 * The report added up from the raw events, day by day: what a filtered
 * report shows, and what the roll-ups must equal. With filters it reads
 * only the events of visitors who can match them (see `narrowing`);
 * `narrow: false` reads every event, for tests that check the difference.
 */
export async function rawReport(
  store: Store,
  site: Site,
  period: Period,
  filters: readonly Filter[],
  limit: number,
  narrow = true,
): Promise<Report> {
  const before = previousPeriod(period);
  const totals = zeroSums();
  const previous = zeroSums();
  const days: Array<{ day: string; visitors: number; pageviews: number }> = [];
  const hours: HourSums[] = [];
  const rows = new Map<string, BreakdownRow>();
  const conditions = narrow ? narrowing(filters) : [];
  const sumFiltered = async (day: string, detail: boolean) => {
    const [from, to] = dayBounds(day, site.timezone);
    return sumDay(await readReportEvents(store.db, site.id, from, to, conditions), from, filters, detail);
  };
  // The period before is only compared with: its totals will do.
  for (const day of daysBetween(before.from, before.to)) addSums(previous, (await sumFiltered(day, false)).totals);
  for (const day of daysBetween(period.from, period.to)) {
    const sums = await sumFiltered(day, true);
    addSums(totals, sums.totals);
    days.push({ day, visitors: sums.totals.visitors, pageviews: sums.totals.pageviews });
    hours.push(...sums.hours);
    for (const row of sums.rows) {
      const key = `${row.dimension}\u0000${row.value}`;
      const sum = rows.get(key);
      if (sum === undefined) rows.set(key, { ...row });
      else {
        addSums(sum, row);
        sum.engaged_ms += row.engaged_ms;
      }
    }
  }
  const breakdowns = {} as Record<Dimension, BreakdownRow[]>;
  for (const dimension of DIMENSIONS) breakdowns[dimension] = [];
  for (const row of rows.values()) breakdowns[row.dimension as Dimension].push(row);
  for (const dimension of DIMENSIONS) {
    breakdowns[dimension] = breakdowns[dimension]
      .sort((a, b) => b.visitors - a.visitors || b.pageviews - a.pageviews || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, limit);
  }
  const series = period.granularity === 'hour' ? hourPoints(hours, period, site.timezone) : dayPoints(days, period);
  return { period, totals, previous, series, breakdowns };
}

/** Every hour of the period's days, zero where nothing happened, labelled in local time. */
function hourPoints(hours: readonly HourSums[], period: Period, zone: string, now = Date.now()): SeriesPoint[] {
  const byHour = new Map(hours.map((hour) => [hour.hour, hour]));
  const points: SeriesPoint[] = [];
  for (const day of daysBetween(period.from, period.to)) {
    const [from, to] = dayBounds(day, zone);
    // Hours that have not begun have no point: drawn as zeros, they read as a fall.
    for (let hour = from; hour < to && hour <= now; hour += HOUR_MS) {
      const sums = byHour.get(hour);
      points.push({
        label: `${day} ${String(localHour(hour, zone)).padStart(2, '0')}:00`,
        visitors: sums?.visitors ?? 0,
        pageviews: sums?.pageviews ?? 0,
      });
    }
  }
  return points;
}

/** Every day (or month) of the period, zero where nothing happened. */
function dayPoints(days: ReadonlyArray<{ day: string; visitors: number; pageviews: number }>, period: Period): SeriesPoint[] {
  const byDay = new Map(days.map((day) => [day.day, day]));
  const points = new Map<string, SeriesPoint>();
  for (const day of daysBetween(period.from, period.to)) {
    const label = period.granularity === 'month' ? day.slice(0, 7) : day;
    const point = points.get(label) ?? { label, visitors: 0, pageviews: 0 };
    point.visitors += byDay.get(day)?.visitors ?? 0;
    point.pageviews += byDay.get(day)?.pageviews ?? 0;
    points.set(label, point);
  }
  return [...points.values()];
}
