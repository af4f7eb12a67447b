import { type Kysely, sql } from 'kysely';
import { fenceEventWrites } from './horizon.js';
import type { Database, Db, Event, NewEvent } from './schema.js';

/** Position in a newest-first list: the last row of the page before. */
export interface EventCursor {
  ts: number;
  id: number;
}

/** One page of events plus the cursor for the next, if there is one. */
export interface EventPage {
  events: Event[];
  next: EventCursor | undefined;
}

/** Stores one event. The collector writes through its batch writer (event-batch.ts); this serves tests and tools. */
export async function insertEvent(db: Kysely<Database>, event: NewEvent): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await fenceEventWrites(trx);
    await trx.insertInto('events').values(event).execute();
  });
}

/** A condition on an event's own values, for the raw event list. */
export type EventFilter =
  | { readonly column: EventFilterColumn; readonly value: string | null }
  /** Page views and other events on this path, on any host: `/pricing` matches `https://example.com/pricing?x`. */
  | { readonly path: string };

/** The event columns the raw list can be filtered on. */
export type EventFilterColumn =
  | 'name'
  | 'source'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content'
  | 'country'
  | 'region'
  | 'city'
  | 'browser'
  | 'browser_version'
  | 'os'
  | 'device';

/** Which of a site's events to list. */
export interface EventQuery {
  /** The last row of the page before. */
  readonly before?: EventCursor | undefined;
  /** From this time on (epoch ms). */
  readonly from?: number | undefined;
  /** Before this time (epoch ms). */
  readonly to?: number | undefined;
  readonly filters?: readonly EventFilter[];
}

// LIKE treats these as wildcards; a path is matched as it is.
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * A site's events, newest first, `limit` at a time. Keyset pagination keeps
 * deep pages as cheap as the first on a large table. A path filter is
 * matched in SQL loosely (the path at the end of the URL, or before its
 * query or fragment); callers that need exactness check the rows again.
 */
export async function listEvents(db: Db, siteId: number, limit: number, options: EventQuery | EventCursor = {}): Promise<EventPage> {
  const { before, from, to, filters = [] } = 'ts' in options ? { before: options } : options;
  let query = db.selectFrom('events').selectAll().where('site_id', '=', siteId);
  if (before !== undefined) {
    query = query.where((eb) => eb.or([eb('ts', '<', before.ts), eb.and([eb('ts', '=', before.ts), eb('id', '<', before.id)])]));
  }
  if (from !== undefined) query = query.where('ts', '>=', from);
  if (to !== undefined) query = query.where('ts', '<', to);
  for (const filter of filters) {
    if ('path' in filter) {
      const path = escapeLike(filter.path);
      query = query.where((eb) =>
        eb.or([
          eb('url', '=', filter.path),
          eb('url', 'like', sql<string>`${`%${path}`} escape '\\'`),
          eb('url', 'like', sql<string>`${`%${path}?%`} escape '\\'`),
          eb('url', 'like', sql<string>`${`%${path}#%`} escape '\\'`),
        ]),
      );
    } else if (filter.value === null) {
      query = query.where(filter.column, 'is', null);
    } else {
      query = query.where(filter.column, '=', filter.value);
    }
  }
  const rows = await query
    .orderBy('ts', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const events = rows.slice(0, limit);
  const last = events.at(-1);
  const next = rows.length > limit && last !== undefined ? { ts: last.ts, id: last.id } : undefined;
  return { events, next };
}

/** How many events a site has. */
export async function countEvents(db: Db, siteId: number): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
