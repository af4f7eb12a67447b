// Frozen: never edit a migration that has shipped; add a new one instead.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

// Reports: each site's time zone, the roll-ups of its local days, and the
// UTC days whose events changed since they were last rolled up.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite: tables clustered on their key, so that a report's range of rows
  // is read in order, without a lookup per row into a rowid table.
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``;
  await db.schema
    .alterTable('sites')
    .addColumn('timezone', 'text', (col) => col.notNull().defaultTo('UTC'))
    .execute();

  await db.schema
    .createTable('rollup_days')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('visitors', 'bigint', (col) => col.notNull())
    .addColumn('visits', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addColumn('bounces', 'bigint', (col) => col.notNull())
    .addColumn('duration_ms', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_days_pk', ['site_id', 'day'])
    .modifyEnd(clustered)
    .execute();

  await db.schema
    .createTable('rollup_hours')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('hour', 'bigint', (col) => col.notNull())
    .addColumn('visitors', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_hours_pk', ['site_id', 'day', 'hour'])
    .modifyEnd(clustered)
    .execute();

  await db.schema
    .createTable('rollup_rows')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('dimension', 'text', (col) => col.notNull())
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('visitors', 'bigint', (col) => col.notNull())
    .addColumn('visits', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addColumn('bounces', 'bigint', (col) => col.notNull())
    .addColumn('duration_ms', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addColumn('engaged_ms', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_rows_pk', ['site_id', 'dimension', 'day', 'value'])
    .modifyEnd(clustered)
    .execute();
  // Replacing one day's rows finds them by day, across dimensions.
  await db.schema.createIndex('rollup_rows_day').on('rollup_rows').columns(['site_id', 'day']).execute();

  // The same rows summed over each whole local month that has ended: a
  // long period reads a row per month instead of one per day.
  await db.schema
    .createTable('rollup_month_rows')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('dimension', 'text', (col) => col.notNull())
    .addColumn('month', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('visitors', 'bigint', (col) => col.notNull())
    .addColumn('visits', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addColumn('bounces', 'bigint', (col) => col.notNull())
    .addColumn('duration_ms', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addColumn('engaged_ms', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_month_rows_pk', ['site_id', 'dimension', 'month', 'value'])
    .modifyEnd(clustered)
    .execute();
  // Which months have their rows: a month without is read day by day.
  await db.schema
    .createTable('rollup_months')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('month', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_months_pk', ['site_id', 'month'])
    .execute();

  await db.schema
    .createTable('rollup_dirty')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_dirty_pk', ['site_id', 'day'])
    .execute();

  // Events stored before this migration: every UTC day that has any is to be rolled up.
  const utcDayOf =
    dialectOf(db) === 'postgres'
      ? sql`to_char(to_timestamp(ts / 1000) at time zone 'UTC', 'YYYY-MM-DD')`
      : sql`strftime('%Y-%m-%d', ts / 1000, 'unixepoch')`;
  await sql`insert into rollup_dirty (site_id, day, version) select distinct site_id, ${utcDayOf}, 1 from events`.execute(db);
}
