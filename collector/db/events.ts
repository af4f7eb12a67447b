import { markChanged } from './rollups.js';
import type { Db, Event, NewEvent } from './schema.js';

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

/** Stores one event and marks its day for the roll-ups. The collector writes through its batch writer (event-batch.ts); this serves tests and tools. */
export async function insertEvent(db: Db, event: NewEvent): Promise<void> {
  await db.insertInto('events').values(event).execute();
  await markChanged(db, [event]);
}

/**
 * A site's events, newest first, `limit` at a time. Keyset pagination keeps
 * deep pages as cheap as the first on a large table.
 */
export async function listEvents(db: Db, siteId: number, limit: number, before?: EventCursor): Promise<EventPage> {
  let query = db.selectFrom('events').selectAll().where('site_id', '=', siteId);
  if (before !== undefined) {
    query = query.where((eb) => eb.or([eb('ts', '<', before.ts), eb.and([eb('ts', '=', before.ts), eb('id', '<', before.id)])]));
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
