// Frozen: never edit a migration that has shipped; add a new one instead.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

// The index on events (site_id, visitor_id, ts) cost the collector about a
// third of its throughput under varied traffic: each event landed on a
// random page of it. The engine used it for two rare cases, which now read
// elsewhere: engagement dropped before a visitor's first page view is
// remembered in a small table of its own (below), and a visitor-day folded
// anew reads its day through events (site_id, ts, id).
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const clustered = dialectOf(db) === 'postgres' ? sql`` : sql`without rowid`;
  // One row per engagement event that the engine folded and dropped, as no
  // visit of its visitor-day had begun: a page view that arrives later but
  // happened earlier takes it in, so that visitor-day is folded anew.
  await db.schema
    .createTable('engine_dropped')
    .addColumn('site_id', 'bigint', (col) => col.notNull())
    .addColumn('visitor_id', 'bigint', (col) => col.notNull())
    .addColumn('ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('engine_dropped_pk', ['site_id', 'visitor_id', 'ts'])
    .modifyEnd(clustered)
    .execute();

  // What the engine dropped so far: folded engagement that no visit holds
  // (a visit's span covers every event folded into it, and ends on its day).
  await db.schema.createIndex('visits_migrate_visitor').on('visits').columns(['site_id', 'visitor', 'start_ts']).execute();
  await sql`
    insert into engine_dropped (site_id, visitor_id, ts)
    select distinct e.site_id, e.visitor_id, e.ts from events e
    where e.name = 'engagement' and e.visitor_id is not null
      and e.id <= (select position from engine_state where name = 'events')
      and not exists (
        select 1 from visits v
        where v.site_id = e.site_id and v.visitor = e.visitor_id and v.start_ts <= e.ts and v.end_ts >= e.ts
      )`.execute(db);
  await db.schema.dropIndex('visits_migrate_visitor').execute();

  await db.schema.dropIndex('events_visitor').execute();
}
