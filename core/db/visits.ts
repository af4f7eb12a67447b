/**
 * The analytics engine's visits: what each viewed, did and when, as stored
 * in `visits` and its child tables, and how they are loaded and written.
 * What a visit is, and how events fold into one, is defined in
 * dashboard/reports/visit-fold.ts; this module only stores and loads it.
 */
import type { Kysely } from 'kysely';
import { type Database, type Db, type NewVisit, VISIT_ATTRIBUTES, type Visit, type VisitAttributes } from './schema.js';

/** A visit as the report counts it: stored in `visits` and its child tables. */
export interface VisitState {
  /** `v` and the visitor id, or `e` and the event id for an event stored without one. */
  visitor: string;
  start: number;
  /** The last event's time, engagement included: the next event more than 30 minutes later starts a new visit. */
  end: number;
  /** The last page view's time. */
  lastView: number | undefined;
  attributes: VisitAttributes;
  pageviews: number;
  custom: number;
  duration: number;
  entry: string | undefined;
  exit: string | undefined;
  /** Per page: views and engaged time. */
  pages: Map<string, { views: number; engaged: number }>;
  /** Per custom event name: how many. */
  named: Map<string, number>;
  /** Per property, as JSON of [event name, key, value]: how many events had it. */
  props: Map<string, number>;
  /** Per hour with events (its first instant, from the local midnight): page views. */
  hours: Map<number, number>;
}

/** A stored visit: its row id, day and visitor number beside its state. */
export interface StoredVisit extends VisitState {
  id: number;
  day: string;
  siteId: number;
}

/** The visitor as `visits.visitor` stores it: the id, or minus the event id for an event without one. */
export function visitorNumber(visitor: string): number {
  return visitor.startsWith('v') ? Number(visitor.slice(1)) : -Number(visitor.slice(1));
}

/** The stored visits of these visitors on these days of one site, each visitor-day's in time order. */
export async function loadVisits(
  db: Kysely<Database>,
  siteId: number,
  days: readonly string[],
  visitors: readonly number[],
): Promise<StoredVisit[]> {
  if (days.length === 0 || visitors.length === 0) return [];
  const rows = await db
    .selectFrom('visits')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('day', 'in', days)
    .where('visitor', 'in', visitors)
    .orderBy('start_ts')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const byId = new Map<number, StoredVisit>();
  for (const row of rows) byId.set(Number(row.id), storedVisit(siteId, row));
  await loadChildren(db, byId);
  return [...byId.values()];
}

/** A `visits` row as a stored visit, without its child rows yet. */
function storedVisit(siteId: number, row: Visit): StoredVisit {
  const visitor = Number(row.visitor);
  return {
    id: Number(row.id),
    siteId,
    day: row.day,
    visitor: visitor < 0 ? `e${-visitor}` : `v${visitor}`,
    start: Number(row.start_ts),
    end: Number(row.end_ts),
    lastView: row.last_view_ts === null ? undefined : Number(row.last_view_ts),
    attributes: {
      source: row.source,
      utm_source: row.utm_source,
      utm_medium: row.utm_medium,
      utm_campaign: row.utm_campaign,
      utm_term: row.utm_term,
      utm_content: row.utm_content,
      country: row.country,
      region: row.region,
      city: row.city,
      browser: row.browser,
      browser_version: row.browser_version,
      os: row.os,
      device: row.device,
    },
    pageviews: Number(row.pageviews),
    custom: Number(row.events),
    duration: Number(row.duration_ms),
    entry: row.entry_page ?? undefined,
    exit: row.exit_page ?? undefined,
    pages: new Map(),
    named: new Map(),
    props: new Map(),
    hours: new Map(),
  };
}

/** Fills in the child rows of the visits in `byId`, a few thousand visits a read. */
async function loadChildren(db: Kysely<Database>, byId: ReadonlyMap<number, StoredVisit>): Promise<void> {
  const ids = [...byId.keys()];
  const visit = (id: number | string) => byId.get(Number(id)) as StoredVisit;
  for (let start = 0; start < ids.length; start += 5000) {
    const some = ids.slice(start, start + 5000);
    const [pages, named, props, hours] = await Promise.all([
      db.selectFrom('visit_pages').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_events').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_props').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_hours').selectAll().where('visit_id', 'in', some).execute(),
    ]);
    for (const row of pages) visit(row.visit_id).pages.set(row.page, { views: Number(row.views), engaged: Number(row.engaged_ms) });
    for (const row of named) visit(row.visit_id).named.set(row.name, Number(row.count));
    for (const row of props) visit(row.visit_id).props.set(row.prop, Number(row.count));
    for (const row of hours) visit(row.visit_id).hours.set(Number(row.hour), Number(row.pageviews));
  }
}

/** Visits with a page view in [since, until], the latest first: who is on the site right now. */
export async function recentVisits(
  db: Db,
  siteId: number,
  since: number,
  until: number,
  limit: number,
): Promise<Array<{ visitor: number; exit_page: string | null }>> {
  const rows = await db
    .selectFrom('visits')
    .select(['visitor', 'exit_page'])
    .where('site_id', '=', siteId)
    .where('last_view_ts', '>=', since)
    .where('last_view_ts', '<=', until)
    .orderBy('last_view_ts', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ visitor: Number(row.visitor), exit_page: row.exit_page }));
}

/** The `visits` row of a visit. */
export function visitRow(siteId: number, day: string, visit: VisitState, bounce: boolean): NewVisit {
  return {
    site_id: siteId,
    day,
    visitor: visitorNumber(visit.visitor),
    start_ts: visit.start,
    end_ts: visit.end,
    last_view_ts: visit.lastView ?? null,
    entry_page: visit.entry ?? null,
    exit_page: visit.exit ?? null,
    pageviews: visit.pageviews,
    events: visit.custom,
    duration_ms: visit.duration,
    bounce: bounce ? 1 : 0,
    exit_engaged_ms: visit.exit === undefined ? 0 : (visit.pages.get(visit.exit)?.engaged ?? 0),
    ...visit.attributes,
  };
}

/**
 * The columns that a visit's later events change; the others come from its
 * first event. Extending a visit sets only these, so that the indexes on
 * the others (day, country, source) are left alone.
 */
export const VISIT_GROWING_COLUMNS = [
  'end_ts',
  'last_view_ts',
  'entry_page',
  'exit_page',
  'pageviews',
  'events',
  'duration_ms',
  'bounce',
  'exit_engaged_ms',
] as const satisfies ReadonlyArray<keyof NewVisit>;

/** Column order of a visits insert. */
export const VISIT_COLUMNS = [
  'site_id',
  'day',
  'visitor',
  'start_ts',
  ...VISIT_GROWING_COLUMNS,
  ...VISIT_ATTRIBUTES,
] as const satisfies readonly (keyof NewVisit)[];
