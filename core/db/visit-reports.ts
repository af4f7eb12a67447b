/**
 * Filtered reports, read from the analytics engine's visits in SQL. The
 * definitions are dashboard/reports/aggregate.ts's (`visitorShare`) and
 * dimensions.ts's (the filters' `matches`): the visits of a period that
 * match every filter are added up as the roll-ups add up all of them. A
 * visitor is one `visitor` on one local `day`, so visitors are counted
 * distinct per day and summed over the days.
 *
 * The whole report is one statement: the matching visits are read once
 * into a materialized common table expression that every part groups
 * again, since each extra pass over the visits table costs more than the
 * grouping that follows it.
 */
import { dialectOf } from './dialect.js';
import {
  DAY,
  HOUR,
  PREVIOUS,
  perDay,
  perHour,
  perPreviousDay,
  ranked,
  type Statement,
  type VisitBreakdown,
  type WithMatched,
} from './filtered-parts.js';
import { type Days, matchingVisits, type VisitFilter } from './filtered-visits.js';
import { addSums, type BreakdownRow, type HourSums, type Sums, sumsOfRow, zeroSums } from './rollup-sums.js';
import { type Db, VISIT_ATTRIBUTES } from './schema.js';

export type { VisitBreakdown, VisitBreakdownDimension } from './filtered-parts.js';
export type { VisitFilter, VisitFilterDimension } from './filtered-visits.js';

/** What a filtered report asks for. */
export interface FilteredQuery {
  readonly siteId: number;
  /** The period's first and last local day, both included. */
  readonly from: string;
  readonly to: string;
  /** The period before, of which only the totals are read. */
  readonly previous: { readonly from: string; readonly to: string };
  /** All must hold. */
  readonly filters: readonly VisitFilter[];
  /** Visitors and page views per hour as well as per day (for a period of one day). */
  readonly hourly: boolean;
  readonly breakdowns: readonly VisitBreakdown[];
  /** Rows per breakdown: the first by visitors, then page views, then value. */
  readonly limit: number;
}

/** A filtered report's numbers. */
export interface FilteredSums {
  totals: Sums;
  previous: Sums;
  /** Days with matching visits. */
  days: Array<{ day: string; visitors: number; pageviews: number }>;
  /** Hours with matching visits' events; empty unless asked for. */
  hours: HourSums[];
  /** The top rows of each breakdown asked for, ranked as SQL ranks them. */
  rows: BreakdownRow[];
}

/**
 * The numbers of a filtered report: totals of the period and the one
 * before, the daily (and hourly) series, and the top rows of each
 * breakdown asked for.
 */
export async function filteredReport(db: Db, query: FilteredQuery): Promise<FilteredSums> {
  const q = db.withTables<Pick<WithMatched, 'm' | 'pm'>>();
  const statement: Statement = {
    db,
    q,
    days: { siteId: query.siteId, from: query.from, to: query.to },
    postgres: dialectOf(db) === 'postgres',
  };
  // Each part is selected from as a table: a part of a union may not have its own order and limit.
  const parts = [
    perPreviousDay(q),
    ...(query.hourly ? [perHour(statement)] : []),
    ...query.breakdowns.map((breakdown) => ranked(statement, breakdown, query.limit)),
  ].map((part) => q.selectFrom(part.as('p')).selectAll());
  const rows = await q
    .with(
      (cte) => cte('m').materialized(),
      () => matching(db, statement.days, query.filters),
    )
    // Also read once, before it is grouped: grouped as it is read, SQLite would pick the index
    // on days that hands them over in order over a filter's own index.
    .with(
      (cte) => cte('pm').materialized(),
      () =>
        matchingVisits(db, { siteId: query.siteId, ...query.previous }, query.filters).select([
          'v.day',
          'v.visitor',
          'v.pageviews',
          'v.bounce',
          'v.duration_ms',
          'v.events',
        ]),
    )
    .selectFrom(perDay(q).as('d'))
    .selectAll('d')
    .unionAll(parts)
    .execute();

  const result: FilteredSums = { totals: zeroSums(), previous: zeroSums(), days: [], hours: [], rows: [] };
  for (const row of rows) {
    const sums = sumsOfRow(row);
    if (row.dimension === DAY) {
      addSums(result.totals, sums);
      result.days.push({ day: row.value, visitors: sums.visitors, pageviews: sums.pageviews });
    } else if (row.dimension === PREVIOUS) {
      addSums(result.previous, sums);
    } else if (row.dimension === HOUR) {
      result.hours.push({ hour: Number(row.value), visitors: sums.visitors, pageviews: sums.pageviews });
    } else {
      result.rows.push({ dimension: row.dimension, value: row.value, ...sums, engaged_ms: Number(row.engaged_ms) });
    }
  }
  result.days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  result.hours.sort((a, b) => a.hour - b.hour);
  return result;
}

/** The visits of a site's days from `from` to `to` that match every filter, with what the report reads of them. */
function matching(db: Db, days: Days, filters: readonly VisitFilter[]) {
  return matchingVisits(db, days, filters).select([
    'v.id',
    'v.day',
    'v.visitor',
    'v.pageviews',
    'v.bounce',
    'v.duration_ms',
    'v.events',
    'v.exit_engaged_ms',
    'v.entry_page',
    'v.exit_page',
    ...VISIT_ATTRIBUTES.map((column) => `v.${column}` as const),
  ]);
}
