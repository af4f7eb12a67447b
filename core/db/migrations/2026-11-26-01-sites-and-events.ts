// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // The one dialect difference: how an auto-incrementing 64-bit key is spelt.
  const postgres = dialectOf(db) === 'postgres';
  const idType = postgres ? 'bigserial' : 'integer';
  const primaryKey = postgres
    ? <T extends { primaryKey(): T }>(col: T) => col.primaryKey()
    : <T extends { primaryKey(): T; autoIncrement(): T }>(col: T) => col.primaryKey().autoIncrement();

  await db.schema
    .createTable('sites')
    .addColumn('id', idType, primaryKey)
    .addColumn('base_url', 'text', (col) => col.notNull())
    .addColumn('domain', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', idType, primaryKey)
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('ts', 'bigint', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('referrer', 'text')
    .addColumn('browser', 'text')
    .addColumn('ip', 'text')
    .execute();

  // Every report asks for "events of site S between T1 and T2"; id breaks ties
  // so that newest-first pages are stable.
  await db.schema.createIndex('events_site_ts').on('events').columns(['site_id', 'ts', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await db.schema.dropTable('sites').execute();
}
