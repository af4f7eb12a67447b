/**
 * Which events the analytics engine may fold in. Event ids grow with every
 * insert, but on PostgreSQL a transaction can commit after another that
 * took later ids, so "every id up to the largest one seen" could skip an
 * event still in flight. Every transaction that writes events therefore
 * holds a shared advisory lock (`fenceEventWrites`); the engine takes the
 * same lock exclusively for a moment (`committedHorizon`), which waits for
 * the writers in flight, and reads the largest id then: everything up to
 * it has committed, and later writers take later ids. SQLite has one
 * writer at a time, so its largest id is already a safe horizon.
 */
import { type Kysely, sql } from 'kysely';
import { dialectOf } from './dialect.js';
import type { Database, Db } from './schema.js';

// Any constant both sides agree on: "Sigh" in ASCII. The lock is keyed by
// the schema too, so that installs sharing a database do not wait on each other.
const EVENT_WRITES = 0x53696768;

/** Inside a transaction that inserts events: holds the writers' shared lock until it ends. No-op on SQLite. */
export async function fenceEventWrites(trx: Db): Promise<void> {
  if (dialectOf(trx) === 'postgres')
    await sql`select pg_advisory_xact_lock_shared(hashtext(current_schema()), ${EVENT_WRITES})`.execute(trx);
}

/** The largest event id below which every event has committed (0 without events). */
export async function committedHorizon(db: Kysely<Database>): Promise<number> {
  const largest = async (q: Db) => Number((await sql<{ id: number | null }>`select max(id) as id from events`.execute(q)).rows[0]?.id ?? 0);
  if (dialectOf(db) === 'sqlite') return largest(db);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema()), ${EVENT_WRITES})`.execute(trx);
    return largest(trx);
  });
}
