/**
 * The visits that match a filtered report's filters, as a query on
 * `visits` that the report's statement reads once (visit-reports.ts).
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Database, Db, VisitAttributes, VisitsTable } from './schema.js';

/** What a filter can ask of a visit: an attribute, its entry or exit page, a page it viewed, a custom event it had. */
export type VisitFilterDimension = keyof VisitAttributes | 'entry_page' | 'exit_page' | 'page' | 'event';

/** A filter: the visit has `value` for `dimension` ('' is none, for an attribute). */
export interface VisitFilter {
  readonly dimension: VisitFilterDimension;
  readonly value: string;
}

/** The site's days from `from` to `to`. */
export interface Days {
  readonly siteId: number;
  readonly from: string;
  readonly to: string;
}

/** Visits `v`, before what is selected of them. */
// biome-ignore lint/complexity/noBannedTypes: Kysely's type of a query that selects nothing yet.
type VisitsFrom = SelectQueryBuilder<Database & { v: VisitsTable }, 'v', {}>;

/**
 * The visits `v` on `days` that match every filter (`matches` in
 * dashboard/reports/dimensions.ts). With a page or event filter, they are
 * read from that page's (event's) visits, not from every visit of the
 * period: SQLite joins the tables of a CROSS JOIN in the order written
 * (PostgreSQL plans it as any join).
 */
export function matchingVisits(db: Db, days: Days, filters: readonly VisitFilter[]): VisitsFrom {
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
export function idBound(db: Db, days: Days, end: 'min' | 'max') {
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
