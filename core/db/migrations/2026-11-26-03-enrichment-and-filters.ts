// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';

// What the collector's enrichment adds to each event, the per-site filter
// settings, counters of filtered hits, and the daily salts of visitor ids.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite adds one column per statement.
  for (const column of ['browser_version', 'os', 'device', 'country', 'region', 'city', 'source']) {
    await db.schema.alterTable('events').addColumn(column, 'text').execute();
  }
  for (const column of ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']) {
    await db.schema.alterTable('events').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('events').addColumn('visitor_id', 'bigint').execute();

  // 0 or 1: one integer type on both dialects.
  await db.schema
    .alterTable('sites')
    .addColumn('allow_any_host', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('sites')
    .addColumn('excluded_ips', 'text', (col) => col.notNull().defaultTo(''))
    .execute();

  await db.schema
    .createTable('filtered_hits')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('hits', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('filtered_hits_pk', ['site_id', 'day', 'reason'])
    .execute();

  await db.schema
    .createTable('salts')
    .addColumn('day', 'text', (col) => col.primaryKey())
    .addColumn('salt', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('salts').execute();
  await db.schema.dropTable('filtered_hits').execute();
  for (const column of ['excluded_ips', 'allow_any_host']) await db.schema.alterTable('sites').dropColumn(column).execute();
  const columns = ['visitor_id', 'utm_content', 'utm_term', 'utm_campaign', 'utm_medium', 'utm_source'];
  for (const column of [...columns, 'source', 'city', 'region', 'country', 'device', 'os', 'browser_version']) {
    await db.schema.alterTable('events').dropColumn(column).execute();
  }
}
