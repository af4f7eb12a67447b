import { sql } from 'kysely';
import type { Store } from './connect.js';
import { EVENT_COLUMNS, type FilteredHit, type NewEvent } from './schema.js';

const PG_ROWS_PER_INSERT = Math.floor(65_535 / EVENT_COLUMNS.length);

/** Writes one batch of events and filtered-hit counts in one transaction. */
export type WriteBatch = (rows: readonly NewEvent[], hits: readonly FilteredHit[]) => Promise<void>;

/**
 * The event writer's one database call, with the one deliberate dialect
 * difference on the hot path. SQLite: a prepared single-row insert run for
 * each row inside one synchronous better-sqlite3 transaction; building and
 * compiling a multi-row query through Kysely costs more than SQLite takes
 * to store the rows. PostgreSQL: one multi-row insert through Kysely (split
 * only past the parameter limit), since there the round trip is what costs.
 */
export function batchWriter(store: Store): WriteBatch {
  const sqlite = store.sqlite;
  if (sqlite === undefined) {
    return (rows, hits) =>
      store.db.transaction().execute(async (trx) => {
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
  const insertEvent = sqlite.prepare(
    `insert into events (${EVENT_COLUMNS.join(', ')}) values (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const countHit = sqlite.prepare(
    'insert into filtered_hits (site_id, day, reason, hits) values (?, ?, ?, ?) on conflict (site_id, day, reason) do update set hits = hits + excluded.hits',
  );
  const write = sqlite.transaction((rows: readonly NewEvent[], hits: readonly FilteredHit[]) => {
    for (const row of rows) insertEvent.run(EVENT_COLUMNS.map((column) => row[column] ?? null));
    for (const hit of hits) countHit.run(hit.site_id, hit.day, hit.reason, hit.hits);
  });
  return async (rows, hits) => {
    write(rows, hits);
  };
}
