/**
 * Events as the report and the analytics engine read them: the columns
 * they read, a site's events of a time range (for the report added up from
 * the raw events), and the engine's reads of new events and of whole
 * visitor-days.
 */
import { type Kysely, sql } from 'kysely';
import type { EventFilterColumn } from './events.js';
import type { Database, Db, Event } from './schema.js';

/** What the report reads of an event. */
export const REPORT_EVENT_COLUMNS = [
  'id',
  'ts',
  'name',
  'url',
  'visitor_id',
  'engaged_ms',
  'props',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
  'device',
] as const satisfies readonly (keyof Event)[];

/** An event as the report reads it. */
export type ReportEvent = Pick<Event, (typeof REPORT_EVENT_COLUMNS)[number]>;

/** An event as the engine reads it: the report's columns and its site. */
export type EngineEvent = ReportEvent & { site_id: number };

/**
 * Columns that a visitor's events can be picked by (see `readReportEvents`):
 * those the raw list filters on, but for browser_version, which a report
 * shows joined with the browser.
 */
export type EventColumn = Exclude<EventFilterColumn, 'browser_version'>;

/** An event whose `column` is `value`; a `value` of '' means none (null or empty). */
export interface EventCondition {
  column: EventColumn;
  value: string;
}

/**
 * A site's events in [from, to), sorted by visitor, then time: what
 * aggregate.ts takes. With conditions, only the events of visitors who
 * have, for each condition, some event in the range that meets it (an
 * event without a visitor id stands for itself): all of those visitors'
 * events, so that their visits stay whole.
 */
export async function readReportEvents(
  db: Db,
  siteId: number,
  from: number,
  to: number,
  conditions: readonly EventCondition[] = [],
): Promise<ReportEvent[]> {
  let query = db
    .selectFrom('events')
    .select(REPORT_EVENT_COLUMNS)
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to);
  for (const { column, value } of conditions) {
    // `column` is one of EventColumn, never user input; `value` is a parameter.
    const meets = (table: 'events' | 'm') => {
      const ref = sql.ref(`${table}.${column}`);
      return value === '' ? sql<boolean>`(${ref} is null or ${ref} = '')` : sql<boolean>`${ref} = ${value}`;
    };
    query = query.where((eb) => {
      return eb.or([
        eb(
          'visitor_id',
          'in',
          eb
            .selectFrom('events as m')
            .select('m.visitor_id')
            .where('m.site_id', '=', siteId)
            .where('m.ts', '>=', from)
            .where('m.ts', '<', to)
            .where(meets('m')),
        ),
        eb.and([eb('visitor_id', 'is', null), meets('events')]),
      ]);
    });
  }
  return query.orderBy('visitor_id').orderBy('ts').orderBy('id').execute();
}

/** Events with ids in (after, upTo], oldest first, at most `limit`; of one site when `siteId` is given. */
export async function readEventsAfter(
  db: Kysely<Database>,
  after: number,
  upTo: number,
  limit: number,
  siteId?: number,
): Promise<EngineEvent[]> {
  let query = db
    .selectFrom('events')
    .select([...REPORT_EVENT_COLUMNS, 'site_id'])
    .where('id', '>', after)
    .where('id', '<=', upTo);
  if (siteId !== undefined) query = query.where('site_id', '=', siteId);
  return query.orderBy('id').limit(limit).execute();
}

/**
 * The events of these visitors in [from, to) with ids up to `upTo`, by
 * visitor, time and id: for folding visitor-days anew. It reads the whole
 * span through events (site_id, ts, id), as an index on visitors would
 * cost every write; the engine needs it only for events that arrive after
 * a later one of the same visitor.
 */
export async function readVisitorDays(
  db: Kysely<Database>,
  siteId: number,
  visitorIds: readonly number[],
  from: number,
  to: number,
  upTo: number,
): Promise<ReportEvent[]> {
  return db
    .selectFrom('events')
    .select(REPORT_EVENT_COLUMNS)
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .where('id', '<=', upTo)
    .where('visitor_id', 'in', visitorIds)
    .orderBy('visitor_id')
    .orderBy('ts')
    .orderBy('id')
    .execute();
}
