// Frozen: never edit a migration that has shipped; add a new one instead.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

// The incremental analytics engine: one row per visit, with what a visit
// viewed, did and when, folded in from the events committed since the
// engine's durable position. The roll-ups are made again from the visits,
// so the old ones go and the engine starts from the first event; the marks
// of changed days are no longer needed.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  const clustered = postgres ? sql`` : sql`without rowid`;

  await db.schema
    .createTable('visits')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (col) => (postgres ? col.primaryKey() : col.primaryKey().autoIncrement()))
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    // The site's local day; a visit ends at local midnight at the latest.
    .addColumn('day', 'text', (col) => col.notNull())
    // The visitor id, or minus the event's id for an event stored without one.
    .addColumn('visitor', 'bigint', (col) => col.notNull())
    .addColumn('start_ts', 'bigint', (col) => col.notNull())
    .addColumn('end_ts', 'bigint', (col) => col.notNull())
    // The last page view's time: realtime counts visitors with one in the last minutes.
    .addColumn('last_view_ts', 'bigint')
    .addColumn('entry_page', 'text')
    .addColumn('exit_page', 'text')
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addColumn('duration_ms', 'bigint', (col) => col.notNull())
    .addColumn('bounce', 'bigint', (col) => col.notNull())
    .addColumn('exit_engaged_ms', 'bigint', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('utm_source', 'text', (col) => col.notNull())
    .addColumn('utm_medium', 'text', (col) => col.notNull())
    .addColumn('utm_campaign', 'text', (col) => col.notNull())
    .addColumn('utm_term', 'text', (col) => col.notNull())
    .addColumn('utm_content', 'text', (col) => col.notNull())
    .addColumn('country', 'text', (col) => col.notNull())
    .addColumn('region', 'text', (col) => col.notNull())
    .addColumn('city', 'text', (col) => col.notNull())
    .addColumn('browser', 'text', (col) => col.notNull())
    // The browser and its version, as the report lists them: `Chrome 140`.
    .addColumn('browser_version', 'text', (col) => col.notNull())
    .addColumn('os', 'text', (col) => col.notNull())
    .addColumn('device', 'text', (col) => col.notNull())
    .execute();
  // A report reads a period's visits; the engine finds a visitor's visits of a day.
  await db.schema.createIndex('visits_site_day').on('visits').columns(['site_id', 'day', 'visitor']).execute();
  await db.schema.createIndex('visits_site_last_view').on('visits').columns(['site_id', 'last_view_ts']).execute();

  // What each visit viewed, did and when: the page, custom event, property
  // and hour breakdowns, and filters on them.
  await db.schema
    .createTable('visit_pages')
    .addColumn('visit_id', 'bigint', (col) => col.notNull().references('visits.id').onDelete('cascade'))
    .addColumn('page', 'text', (col) => col.notNull())
    .addColumn('views', 'bigint', (col) => col.notNull())
    .addColumn('engaged_ms', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('visit_pages_pk', ['visit_id', 'page'])
    .modifyEnd(clustered)
    .execute();
  await db.schema
    .createTable('visit_events')
    .addColumn('visit_id', 'bigint', (col) => col.notNull().references('visits.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('count', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('visit_events_pk', ['visit_id', 'name'])
    .modifyEnd(clustered)
    .execute();
  await db.schema
    .createTable('visit_props')
    .addColumn('visit_id', 'bigint', (col) => col.notNull().references('visits.id').onDelete('cascade'))
    // JSON of [event name, key, value], as the prop breakdown lists it.
    .addColumn('prop', 'text', (col) => col.notNull())
    .addColumn('count', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('visit_props_pk', ['visit_id', 'prop'])
    .modifyEnd(clustered)
    .execute();
  await db.schema
    .createTable('visit_hours')
    .addColumn('visit_id', 'bigint', (col) => col.notNull().references('visits.id').onDelete('cascade'))
    // The hour's first instant, counted from the local midnight.
    .addColumn('hour', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('visit_hours_pk', ['visit_id', 'hour'])
    .modifyEnd(clustered)
    .execute();

  // A visitor's events of a day, for the rare event that arrives after a
  // later one of the same visitor: the engine folds that visitor-day anew.
  await db.schema.createIndex('events_visitor').on('events').columns(['site_id', 'visitor_id', 'ts']).execute();

  // The engine's durable position: every event with an id up to `position`
  // is in the visits and roll-ups. `version` changes whenever derived data
  // is reset (a time zone change), so that a pass computed before it is
  // not stored after it.
  await db.schema
    .createTable('engine_state')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .execute();
  await db.insertInto('engine_state').values({ name: 'events', position: 0, version: 0 }).execute();

  // Sites whose derived data is being made again from their events (after
  // a time zone change), up to their own position; -1: not yet cleared.
  await db.schema
    .createTable('engine_rebuilds')
    .addColumn('site_id', 'bigint', (col) => col.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('position', 'bigint', (col) => col.notNull())
    .execute();

  // SQLite's lease of the one engine at work (PostgreSQL uses an advisory lock).
  await db.schema
    .createTable('engine_lease')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('holder', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute();

  for (const table of ['rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_block_rows', 'rollup_blocks']) {
    await db.deleteFrom(table).execute();
  }
  await db.schema.dropTable('rollup_dirty').execute();
}
