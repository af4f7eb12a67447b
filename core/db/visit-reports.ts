/**
 * Filtered reports, read from the analytics engine's visits in SQL. The
 * definitions are dashboard/reports/aggregate.ts's (`visitorShare`, and
 * the filters' `matches`): the visits of a period that match every filter
 * are added up as the roll-ups add up all of them. A visitor is one
 * `visitor` on one local `day`, so visitors are counted distinct per day
 * and summed over the days.
 *
 * The whole report is one statement: the matching visits are read once
 * into a materialized common table expression that every part groups
 * again, since each extra pass over the visits table costs more than the
 * grouping that follows it.
 */
import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { dialectOf } from './dialect.js';
import { addSums, type BreakdownRow, type HourSums, type Sums, zeroSums } from './rollups.js';
import { type Database, type Db, VISIT_ATTRIBUTES, type VisitAttributes, type VisitsTable } from './schema.js';

/** What a filter can ask of a visit: an attribute, its entry or exit page, a page it viewed, a custom event it had. */
export type VisitFilterDimension = keyof VisitAttributes | 'entry_page' | 'exit_page' | 'page' | 'event';

/** A filter: the visit has `value` for `dimension` ('' is none, for an attribute). */
export interface VisitFilter {
  readonly dimension: VisitFilterDimension;
  readonly value: string;
}

/** The breakdowns a filtered report can list: the filters' dimensions and custom event properties. */
export type VisitBreakdownDimension = VisitFilterDimension | 'prop';

/** One breakdown to list. */
export interface VisitBreakdown {
  readonly dimension: VisitBreakdownDimension;
  /** For an attribute: whether visits without one ('') are a row of their own. */
  readonly keepNone?: boolean;
}

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

// Rows of the one statement that are not breakdown rows: no dimension has these names.
const DAY = '#day';
const PREVIOUS = '#previous';
const HOUR = '#hour';

/** What the statement reads of a matching visit. */
type Matched = Pick<
  VisitsTable,
  | 'id'
  | 'day'
  | 'visitor'
  | 'pageviews'
  | 'bounce'
  | 'duration_ms'
  | 'events'
  | 'exit_engaged_ms'
  | 'entry_page'
  | 'exit_page'
  | keyof VisitAttributes
>;
/** What the statement reads of a matching visit of the period before: what its totals add up. */
type PreviousMatched = Pick<VisitsTable, 'day' | 'visitor' | 'pageviews' | 'bounce' | 'duration_ms' | 'events'>;
type WithMatched = Database & { m: Matched; pm: PreviousMatched };

/** What the parts of the statement are built with. */
interface Statement {
  readonly db: Db;
  /** `db`, knowing the tables of matching visits. */
  readonly q: Kysely<WithMatched>;
  /** The period. */
  readonly days: Days;
  readonly postgres: boolean;
}

/** A row of the statement; sums are strings where PostgreSQL makes them numeric. */
interface Part {
  dimension: string;
  value: string;
  visitors: number | string;
  visits: number | string;
  pageviews: number | string;
  bounces: number | string;
  duration_ms: number | string;
  events: number | string;
  engaged_ms: number | string;
}

/**
 * The numbers of a filtered report: totals of the period and the one
 * before, the daily (and hourly) series, and the top rows of each
 * breakdown asked for.
 */
export async function filteredReport(db: Db, query: FilteredQuery): Promise<FilteredSums> {
  const q = db.withTables<{ m: Matched; pm: PreviousMatched }>();
  const statement: Statement = {
    db,
    q,
    days: { siteId: query.siteId, from: query.from, to: query.to },
    postgres: dialectOf(db) === 'postgres',
  };
  // Each part is selected from as a table: a part of a union may not have its own order and limit.
  const parts = [
    previousDays(q),
    ...(query.hourly ? [hours(statement)] : []),
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
    .selectFrom(days(q).as('d'))
    .selectAll('d')
    .unionAll(parts)
    .execute();

  const result: FilteredSums = { totals: zeroSums(), previous: zeroSums(), days: [], hours: [], rows: [] };
  for (const row of rows) {
    const sums = numbers(row);
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

/** The site's days from `from` to `to`. */
interface Days {
  readonly siteId: number;
  readonly from: string;
  readonly to: string;
}

/** Visits `v`, before what is selected of them. */
// biome-ignore lint/complexity/noBannedTypes: Kysely's type of a query that selects nothing yet.
type VisitsFrom = SelectQueryBuilder<Database & { v: VisitsTable }, 'v', {}>;

/**
 * The visits `v` on `days` that match every filter (aggregate.ts's
 * `matches`). With a page or event filter, they are read from that
 * page's (event's) visits, not from every visit of the period: SQLite
 * joins the tables of a CROSS JOIN in the order written (PostgreSQL
 * plans it as any join).
 */
function matchingVisits(db: Db, days: Days, filters: readonly VisitFilter[]): VisitsFrom {
  const listed = filters.find(({ dimension }) => dimension === 'page' || dimension === 'event');
  // The list is only joined on, never selected from: the query is one of visits `v` all the same.
  let query: VisitsFrom =
    listed === undefined
      ? db.selectFrom('visits as v')
      : (db
          .selectFrom(visitList(db, days, listed).as('f'))
          .crossJoin('visits as v')
          .whereRef('v.id', '=', 'f.visit_id') as unknown as VisitsFrom);
  query = query.where('v.site_id', '=', days.siteId).where('v.day', '>=', days.from).where('v.day', '<=', days.to);
  for (const filter of filters) {
    const { dimension, value } = filter;
    if (filter === listed) continue;
    if (dimension === 'page' || dimension === 'event') query = query.where('v.id', 'in', visitList(db, days, filter));
    // A visit without a page view has null entry and exit pages, which equal nothing.
    else query = query.where(`v.${dimension}`, '=', value);
  }
  return query;
}

/** The visits with a page view of the page, or with the custom event, of a filter, among the ids of `days`' visits. */
function visitList(db: Db, days: Days, { dimension, value }: VisitFilter) {
  if (dimension === 'event') {
    return db
      .selectFrom('visit_events as fe')
      .select('fe.visit_id')
      .where('fe.name', '=', value)
      .where('fe.visit_id', '>=', idBound(db, days, 'min'))
      .where('fe.visit_id', '<=', idBound(db, days, 'max'));
  }
  return (
    db
      .selectFrom('visit_pages as fp')
      .select('fp.visit_id')
      .where('fp.page', '=', value)
      // Engagement alone (views 0) is no visit to the page.
      .where('fp.views', '>', 0)
      .where('fp.visit_id', '>=', idBound(db, days, 'min'))
      .where('fp.visit_id', '<=', idBound(db, days, 'max'))
  );
}

/**
 * The smallest (or largest) id of the site's visits on `days`. Ids grow
 * as visits are stored, so a page's (an event's) visits within these
 * bounds, read through its index, are about those of the period, however
 * long the site's history. Found day by day, each day's through the index
 * on (site_id, day, id), for the days the roll-ups list as having visits
 * (the engine writes both in one transaction): a minimum over a range of
 * days would read every visit of the range.
 */
function idBound(db: Db, days: Days, end: 'min' | 'max') {
  const perDay = db
    .selectFrom('rollup_days as r')
    .select((eb) =>
      eb
        .selectFrom('visits as b')
        .select((inner) => (end === 'min' ? inner.fn.min<number>('b.id') : inner.fn.max<number>('b.id')).as('id'))
        .whereRef('b.site_id', '=', 'r.site_id')
        .whereRef('b.day', '=', 'r.day')
        .as('id'),
    )
    .where('r.site_id', '=', days.siteId)
    .where('r.day', '>=', days.from)
    .where('r.day', '<=', days.to)
    .as('d');
  return db.selectFrom(perDay).select((eb) => (end === 'min' ? eb.fn.min<number>('d.id') : eb.fn.max<number>('d.id')).as('id'));
}

const count = (eb: ExpressionBuilder<WithMatched, 'm'>) => eb.fn.countAll<number | string>();
const distinctVisitors = (eb: ExpressionBuilder<WithMatched, 'm'>) => eb.fn.count<number | string>('m.visitor').distinct();
// Zero where a row has no such sum; typed as the sums are, so that the parts of the union agree.
const none = sql.lit(0).$castTo<number | string>();
const named = (name: string) => sql.lit(name).$castTo<string>();

/** The matching visits per day: the daily series, and what the totals add up. */
function days(q: Kysely<WithMatched>) {
  return q
    .selectFrom('m')
    .select((eb) => [
      named(DAY).as('dimension'),
      'm.day as value',
      distinctVisitors(eb).as('visitors'),
      count(eb).as('visits'),
      eb.fn.sum<number | string>('m.pageviews').as('pageviews'),
      eb.fn.sum<number | string>('m.bounce').as('bounces'),
      eb.fn.sum<number | string>('m.duration_ms').as('duration_ms'),
      eb.fn.sum<number | string>('m.events').as('events'),
      none.as('engaged_ms'),
    ])
    .groupBy('m.day');
}

/** The matching visits of the period before, per day: only their totals are shown. */
function previousDays(q: Kysely<WithMatched>) {
  return q
    .selectFrom('pm')
    .select((eb) => [
      named(PREVIOUS).as('dimension'),
      'pm.day as value',
      eb.fn.count<number | string>('pm.visitor').distinct().as('visitors'),
      eb.fn.countAll<number | string>().as('visits'),
      eb.fn.sum<number | string>('pm.pageviews').as('pageviews'),
      eb.fn.sum<number | string>('pm.bounce').as('bounces'),
      eb.fn.sum<number | string>('pm.duration_ms').as('duration_ms'),
      eb.fn.sum<number | string>('pm.events').as('events'),
      none.as('engaged_ms'),
    ])
    .groupBy('pm.day');
}

/**
 * Visitors and page views per hour: a visit is in every hour it had an
 * event in. An hour lies in one day, so its distinct visitors are its
 * visitors.
 */
function hours({ db, q, days }: Statement) {
  return q
    .selectFrom('m')
    .crossJoin('visit_hours as h')
    .whereRef('h.visit_id', '=', 'm.id')
    .where('h.visit_id', '>=', idBound(db, days, 'min'))
    .where('h.visit_id', '<=', idBound(db, days, 'max'))
    .select((eb) => [
      named(HOUR).as('dimension'),
      eb.cast<string>('h.hour', 'text').as('value'),
      distinctVisitors(eb).as('visitors'),
      none.as('visits'),
      eb.fn.sum<number | string>('h.pageviews').as('pageviews'),
      none.as('bounces'),
      none.as('duration_ms'),
      none.as('events'),
      none.as('engaged_ms'),
    ])
    .groupBy('h.hour');
}

/**
 * One breakdown's top `limit` rows. Each row's visitors are summed over
 * the days from the distinct visitors of each day (the inner grouping by
 * value and day), as aggregate.ts counts a visitor once per day and row.
 */
function ranked(statement: Statement, { dimension, keepNone = false }: VisitBreakdown, limit: number) {
  const { q, postgres } = statement;
  const perDay = perValueAndDay(statement, dimension, keepNone).as('r');
  return (
    q
      .selectFrom(perDay)
      .select((eb) => [
        named(dimension).as('dimension'),
        'r.value',
        eb.fn.sum<number | string>('r.visitors').as('visitors'),
        eb.fn.sum<number | string>('r.visits').as('visits'),
        eb.fn.sum<number | string>('r.pageviews').as('pageviews'),
        eb.fn.sum<number | string>('r.bounces').as('bounces'),
        eb.fn.sum<number | string>('r.duration_ms').as('duration_ms'),
        eb.fn.sum<number | string>('r.events').as('events'),
        eb.fn.sum<number | string>('r.engaged_ms').as('engaged_ms'),
      ])
      .groupBy('r.value')
      .orderBy('visitors', 'desc')
      .orderBy('pageviews', 'desc')
      // Code point order on both: SQLite's binary collation, and PostgreSQL's "C" whatever the database's locale.
      .orderBy(postgres ? sql`r.value collate "C"` : sql`r.value`)
      .limit(limit)
  );
}

/** A breakdown's sums per value and day, as visitorShare (aggregate.ts) makes its rows. */
function perValueAndDay({ db, q, days }: Statement, dimension: VisitBreakdownDimension, keepNone: boolean) {
  // A child table's rows of the matching visits: joined from the visits, each one's rows through the
  // primary key. The bounds on visit_id are for PostgreSQL, which may hash the child table instead of
  // probing it: they keep that to the period's rows.
  const lower = idBound(db, days, 'min');
  const upper = idBound(db, days, 'max');
  switch (dimension) {
    case 'page':
      // Pages viewed: engagement alone is no visit to a page. Its time on page is the page's engaged time.
      return q
        .selectFrom('m')
        .crossJoin('visit_pages as p')
        .whereRef('p.visit_id', '=', 'm.id')
        .where('p.visit_id', '>=', lower)
        .where('p.visit_id', '<=', upper)
        .where('p.views', '>', 0)
        .select((eb) => [
          'p.page as value',
          'm.day',
          distinctVisitors(eb).as('visitors'),
          count(eb).as('visits'),
          eb.fn.sum<number | string>('p.views').as('pageviews'),
          none.as('bounces'),
          none.as('duration_ms'),
          none.as('events'),
          eb.fn.sum<number | string>('p.engaged_ms').as('engaged_ms'),
        ])
        .groupBy(['p.page', 'm.day']);
    case 'event':
      return q
        .selectFrom('m')
        .crossJoin('visit_events as e')
        .whereRef('e.visit_id', '=', 'm.id')
        .where('e.visit_id', '>=', lower)
        .where('e.visit_id', '<=', upper)
        .select((eb) => [
          'e.name as value',
          'm.day',
          distinctVisitors(eb).as('visitors'),
          count(eb).as('visits'),
          none.as('pageviews'),
          none.as('bounces'),
          none.as('duration_ms'),
          eb.fn.sum<number | string>('e.count').as('events'),
          none.as('engaged_ms'),
        ])
        .groupBy(['e.name', 'm.day']);
    case 'prop':
      // A property counts its events and visitors; its visits are not counted.
      return q
        .selectFrom('m')
        .crossJoin('visit_props as pr')
        .whereRef('pr.visit_id', '=', 'm.id')
        .where('pr.visit_id', '>=', lower)
        .where('pr.visit_id', '<=', upper)
        .select((eb) => [
          'pr.prop as value',
          'm.day',
          distinctVisitors(eb).as('visitors'),
          none.as('visits'),
          none.as('pageviews'),
          none.as('bounces'),
          none.as('duration_ms'),
          eb.fn.sum<number | string>('pr.count').as('events'),
          none.as('engaged_ms'),
        ])
        .groupBy(['pr.prop', 'm.day']);
    default: {
      const column = `m.${dimension}` as const;
      let visits = q.selectFrom('m');
      // A visit without a page view has no entry or exit page; an attribute of '' is listed only where it means something.
      if (dimension === 'entry_page' || dimension === 'exit_page') visits = visits.where(column, 'is not', null);
      else if (!keepNone) visits = visits.where(column, '<>', '');
      return visits
        .select((eb) => [
          eb.ref(column).$castTo<string>().as('value'),
          'm.day',
          distinctVisitors(eb).as('visitors'),
          count(eb).as('visits'),
          eb.fn.sum<number | string>('m.pageviews').as('pageviews'),
          eb.fn.sum<number | string>('m.bounce').as('bounces'),
          eb.fn.sum<number | string>('m.duration_ms').as('duration_ms'),
          eb.fn.sum<number | string>('m.events').as('events'),
          // Time on the exit page, for the exit pages' rows.
          dimension === 'exit_page' ? eb.fn.sum<number | string>('m.exit_engaged_ms').as('engaged_ms') : none.as('engaged_ms'),
        ])
        .groupBy([column, 'm.day']);
    }
  }
}

// PostgreSQL's sums of bigint are numeric, which the driver hands back as strings.
function numbers(row: Part): Sums {
  return {
    visitors: Number(row.visitors),
    visits: Number(row.visits),
    pageviews: Number(row.pageviews),
    bounces: Number(row.bounces),
    duration_ms: Number(row.duration_ms),
    events: Number(row.events),
  };
}
