/**
 * The analytics engine's bookkeeping: its durable position, and the
 * engagement it folded and dropped (see dashboard/reports/engine.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The engine's position and the version of derived data it was read at. */
export async function engineState(db: Kysely<Database>): Promise<{ position: number; version: number }> {
  const row = await db.selectFrom('engine_state').select(['position', 'version']).where('name', '=', 'events').executeTakeFirstOrThrow();
  return { position: Number(row.position), version: Number(row.version) };
}

/** The engagement the engine dropped for these visitors of a site in [from, to) (see `engine_dropped`). */
export async function droppedEngagementOf(
  db: Kysely<Database>,
  siteId: number,
  visitorIds: readonly number[],
  from: number,
  to: number,
): Promise<Array<{ visitor_id: number; ts: number }>> {
  const rows = await db
    .selectFrom('engine_dropped')
    .select(['visitor_id', 'ts'])
    .where('site_id', '=', siteId)
    .where('visitor_id', 'in', visitorIds)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .execute();
  return rows.map((row) => ({ visitor_id: Number(row.visitor_id), ts: Number(row.ts) }));
}
