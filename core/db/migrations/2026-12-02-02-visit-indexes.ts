// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';

// Indexes for filtered reports, which read the visits that match their
// filters (collector/db/visit-reports.ts), chosen by measurement on a site
// of about a million events a month; each costs the engine's writes, so
// there are few.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // A period's visits in the order they were stored: read nearly in table
  // order when a filter has no index of its own, and the first and last
  // visit of each day in one step, which bounds the page and event lists.
  await db.schema.createIndex('visits_site_day_id').on('visits').columns(['site_id', 'day', 'id']).execute();
  // The two attributes filtered on most, with many values each: only the
  // matching visits are read.
  await db.schema.createIndex('visits_site_country').on('visits').columns(['site_id', 'country', 'day']).execute();
  await db.schema.createIndex('visits_site_source').on('visits').columns(['site_id', 'source', 'day']).execute();
  // The visits that viewed a page (views, to tell views from engagement
  // alone without reading the row), and those that sent a custom event.
  await db.schema.createIndex('visit_pages_page').on('visit_pages').columns(['page', 'visit_id', 'views']).execute();
  await db.schema.createIndex('visit_events_name').on('visit_events').columns(['name', 'visit_id']).execute();
}
