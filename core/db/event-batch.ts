import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { SQLITE_BUSY_TIMEOUT_MS, type Store } from './connect.js';
import { fenceEventWrites } from './horizon.js';
import { EVENT_COLUMNS, type FilteredHit, type NewEvent } from './schema.js';

const PG_ROWS_PER_INSERT = Math.floor(65_535 / EVENT_COLUMNS.length);
const SQLITE_ROWS_PER_INSERT = 16;

/** Writes one batch of events and filtered-hit counts in one transaction. */
export type WriteBatch = (rows: readonly NewEvent[], hits: readonly FilteredHit[]) => Promise<void>;

/**
 * The event writer's one database call, with the one deliberate dialect
 * difference on the hot path. SQLite: prepared inserts of up to 16 rows
 * each, inside one synchronous better-sqlite3 transaction; building and
 * compiling a multi-row query through Kysely costs more than SQLite takes
 * to store the rows. PostgreSQL: one multi-row insert through Kysely (split
 * only past the parameter limit), since there the round trip is what costs.
 */
export function batchWriter(store: Store): WriteBatch {
  const sqlite = store.sqlite;
  return sqlite === undefined ? postgresWriter(store) : sqliteWriter(store, sqlite);
}

function postgresWriter(store: Store): WriteBatch {
  return (rows, hits) =>
    store.db.transaction().execute(async (trx) => {
      await fenceEventWrites(trx);
      // PostgreSQL takes at most 65,535 parameters in one statement.
      for (let start = 0; start < rows.length; start += PG_ROWS_PER_INSERT) {
        await trx
          .insertInto('events')
          .values(rows.slice(start, start + PG_ROWS_PER_INSERT))
          .execute();
      }
      for (const hit of hits) {
        await trx
          .insertInto('filtered_hits')
          .values(hit)
          .onConflict((oc) => oc.columns(['site_id', 'day', 'reason']).doUpdateSet({ hits: sql`filtered_hits.hits + excluded.hits` }))
          .execute();
      }
    });
}

function sqliteWriter(store: Store, sqlite: SQLite.Database): WriteBatch {
  // One statement per 16 rows: a run() crosses into native code and steps
  // the statement once, so fewer, wider inserts store a batch faster than
  // one insert per row.
  const inserts = new Map<number, SQLite.Statement>();
  const insertRows = (count: number) => {
    let statement = inserts.get(count);
    if (statement === undefined) {
      const tuple = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
      statement = sqlite.prepare(`insert into events (${EVENT_COLUMNS.join(', ')}) values ${Array(count).fill(tuple).join(', ')}`);
      inserts.set(count, statement);
    }
    return statement;
  };
  const countHit = sqlite.prepare(
    'insert into filtered_hits (site_id, day, reason, hits) values (?, ?, ?, ?) on conflict (site_id, day, reason) do update set hits = hits + excluded.hits',
  );
  const write = sqlite.transaction((rows: readonly NewEvent[], hits: readonly FilteredHit[]) => {
    for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_INSERT) {
      const count = Math.min(SQLITE_ROWS_PER_INSERT, rows.length - start);
      const values: unknown[] = [];
      for (let i = start; i < start + count; i++) pushEventValues(values, rows[i] as NewEvent);
      insertRows(count).run(values);
    }
    for (const hit of hits) countHit.run(hit.site_id, hit.day, hit.reason, hit.hits);
  });
  // Another connection (the analytics engine's thread) may hold the write
  // lock for a few milliseconds. SQLite's own busy wait would sleep on the
  // event loop meanwhile, so the batch takes the lock without waiting, and
  // on a busy database tries again after a pause that lets requests in.
  return async (rows, hits) => {
    const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 8)) {
      // Before and after: rows written into a deleted file would be lost on
      // restart, so they must not be acknowledged (the writer answers 503).
      store.checkFile?.();
      sqlite.pragma('busy_timeout = 0');
      try {
        write.immediate(rows, hits);
        store.checkFile?.();
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      } finally {
        sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}

/**
 * Appends a row's values in EVENT_COLUMNS order. Each column read by its
 * name: a loop over the names reads by computed key, which is slower.
 * Tested against that loop.
 */
export function pushEventValues(values: unknown[], row: NewEvent): void {
  values.push(
    row.site_id,
    row.ts,
    row.name,
    row.url,
    row.referrer ?? null,
    row.props ?? null,
    row.engaged_ms ?? null,
    row.browser ?? null,
    row.browser_version ?? null,
    row.os ?? null,
    row.device ?? null,
    row.country ?? null,
    row.region ?? null,
    row.city ?? null,
    row.source ?? null,
    row.utm_source ?? null,
    row.utm_medium ?? null,
    row.utm_campaign ?? null,
    row.utm_term ?? null,
    row.utm_content ?? null,
    row.visitor_id ?? null,
    row.ip ?? null,
  );
}
