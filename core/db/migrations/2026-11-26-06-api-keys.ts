// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

// Keys for the JSON API: named, per account, stored only as a SHA-256 hash.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  const idType = postgres ? 'bigserial' : 'integer';
  const primaryKey = postgres
    ? <T extends { primaryKey(): T }>(col: T) => col.primaryKey()
    : <T extends { primaryKey(): T; autoIncrement(): T }>(col: T) => col.primaryKey().autoIncrement();
  await db.schema
    .createTable('api_keys')
    .addColumn('id', idType, primaryKey)
    .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    // The key's first characters, so that its owner can tell keys apart.
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
}
