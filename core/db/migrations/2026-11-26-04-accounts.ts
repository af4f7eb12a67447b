// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

// Accounts: users, their sessions, invitations, each site's owner and the
// read-only links an owner shares. Tokens are stored only as SHA-256 hashes.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  const idType = postgres ? 'bigserial' : 'integer';
  const primaryKey = postgres
    ? <T extends { primaryKey(): T }>(col: T) => col.primaryKey()
    : <T extends { primaryKey(): T; autoIncrement(): T }>(col: T) => col.primaryKey().autoIncrement();

  await db.schema
    .createTable('users')
    .addColumn('id', idType, primaryKey)
    // Lower-cased, so that one address is one account however it is typed.
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_seen_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('invites')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('created_by', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  // Null: a site added before accounts existed; the first account claims it.
  await db.schema
    .alterTable('sites')
    .addColumn('owner_id', 'bigint', (col) => col.references('users.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('sites_owner').on('sites').column('owner_id').execute();

  await db.schema
    .createTable('share_links')
    .addColumn('id', idType, primaryKey)
    .addColumn('site_id', 'bigint', (col) => col.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('share_links_site').on('share_links').column('site_id').execute();
}
