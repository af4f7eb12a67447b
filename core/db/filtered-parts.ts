/**
 * The parts of a filtered report's one statement (visit-reports.ts), each
 * grouping the matching visits `m` again: per day, per day of the period
 * before, per hour, and the top rows of each breakdown. Every part selects
 * the same columns, so that they can be one union.
 */
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { type Days, idBound, type VisitFilterDimension } from './filtered-visits.js';
import type { Database, Db, VisitAttributes, VisitsTable } from './schema.js';

/** The breakdowns a filtered report can list: the filters' dimensions and custom event properties. */
export type VisitBreakdownDimension = VisitFilterDimension | 'prop';

/** One breakdown to list. */
export interface VisitBreakdown {
  readonly dimension: VisitBreakdownDimension;
  /** For an attribute: whether visits without one ('') are a row of their own. */
  readonly keepNone?: boolean;
}

// Rows of the one statement that are not breakdown rows: no dimension has these names.
export const DAY = '#day';
export const PREVIOUS = '#previous';
export const HOUR = '#hour';

/** What the statement reads of a matching visit. */
export type Matched = Pick<
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
export type PreviousMatched = Pick<VisitsTable, 'day' | 'visitor' | 'pageviews' | 'bounce' | 'duration_ms' | 'events'>;
export type WithMatched = Database & { m: Matched; pm: PreviousMatched };

/** What the parts of the statement are built with. */
export interface Statement {
  readonly db: Db;
  /** `db`, knowing the tables of matching visits. */
  readonly q: Kysely<WithMatched>;
  /** The period. */
  readonly days: Days;
  readonly postgres: boolean;
}

const count = (eb: ExpressionBuilder<WithMatched, 'm'>) => eb.fn.countAll<number | string>();
const distinctVisitors = (eb: ExpressionBuilder<WithMatched, 'm'>) => eb.fn.count<number | string>('m.visitor').distinct();
// Zero where a row has no such sum; typed as the sums are, so that the parts of the union agree.
const none = sql.lit(0).$castTo<number | string>();
const named = (name: string) => sql.lit(name).$castTo<string>();

/** The matching visits per day: the daily series, and what the totals add up. */
export function perDay(q: Kysely<WithMatched>) {
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
export function perPreviousDay(q: Kysely<WithMatched>) {
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
export function perHour({ db, q, days }: Statement) {
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
export function ranked(statement: Statement, { dimension, keepNone = false }: VisitBreakdown, limit: number) {
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
function perValueAndDay(statement: Statement, dimension: VisitBreakdownDimension, keepNone: boolean) {
  switch (dimension) {
    case 'page':
      return pagesPerDay(statement);
    case 'event':
      return eventsPerDay(statement);
    case 'prop':
      return propsPerDay(statement);
    default:
      return attributePerDay(statement, dimension, keepNone);
  }
}

// A child table's rows of the matching visits are joined from the visits, each one's rows through the
// primary key. The bounds on visit_id are for PostgreSQL, which may hash the child table instead of
// probing it: they keep that to the period's rows.

/** Pages viewed: engagement alone is no visit to a page. Its time on page is the page's engaged time. */
function pagesPerDay({ db, q, days }: Statement) {
  return q
    .selectFrom('m')
    .crossJoin('visit_pages as p')
    .whereRef('p.visit_id', '=', 'm.id')
    .where('p.visit_id', '>=', idBound(db, days, 'min'))
    .where('p.visit_id', '<=', idBound(db, days, 'max'))
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
}

/** Custom events by name. */
function eventsPerDay({ db, q, days }: Statement) {
  return q
    .selectFrom('m')
    .crossJoin('visit_events as e')
    .whereRef('e.visit_id', '=', 'm.id')
    .where('e.visit_id', '>=', idBound(db, days, 'min'))
    .where('e.visit_id', '<=', idBound(db, days, 'max'))
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
}

/** Custom event properties: a property counts its events and visitors; its visits are not counted. */
function propsPerDay({ db, q, days }: Statement) {
  return q
    .selectFrom('m')
    .crossJoin('visit_props as pr')
    .whereRef('pr.visit_id', '=', 'm.id')
    .where('pr.visit_id', '>=', idBound(db, days, 'min'))
    .where('pr.visit_id', '<=', idBound(db, days, 'max'))
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
}

/** An attribute of the visits, or their entry or exit page. */
function attributePerDay({ q }: Statement, dimension: keyof VisitAttributes | 'entry_page' | 'exit_page', keepNone: boolean) {
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
