// Frozen: never edit a migration that has shipped; add a new one instead.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

// Breakdown rows summed over aligned blocks of 2, 4, 8 … 256 local days
// that have ended, in place of the month sums: a period of any length
// reads a few blocks and its odd days. The month sums go; the roll-up job
// makes the blocks from the daily rows.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``;
  await db.schema
    .createTable('rollup_block_rows')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('dimension', 'text', (col) => col.notNull())
    // `YYYY-MM-DD+N`: the block's first local day and its length in days.
    .addColumn('block', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('visitors', 'bigint', (col) => col.notNull())
    .addColumn('visits', 'bigint', (col) => col.notNull())
    .addColumn('pageviews', 'bigint', (col) => col.notNull())
    .addColumn('bounces', 'bigint', (col) => col.notNull())
    .addColumn('duration_ms', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addColumn('engaged_ms', 'bigint', (col) => col.notNull())
    // Block first: a report reads a few blocks of one dimension, and a
    // block is summed from, and replaced by, all the rows of its halves.
    .addPrimaryKeyConstraint('rollup_block_rows_pk', ['site_id', 'block', 'dimension', 'value'])
    .modifyEnd(clustered)
    .execute();
  // Which blocks hold their sums: a block without is read day by day.
  await db.schema
    .createTable('rollup_blocks')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('block', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_blocks_pk', ['site_id', 'block'])
    .execute();
  await db.schema.dropTable('rollup_month_rows').execute();
  await db.schema.dropTable('rollup_months').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``;
  await db.schema.dropTable('rollup_blocks').execute();
  await db.schema.dropTable('rollup_block_rows').execute();
  // The month tables come back empty: the roll-up job of that version fills them.
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
  await db.schema
    .createTable('rollup_months')
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('month', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('rollup_months_pk', ['site_id', 'month'])
    .execute();
}
