import type { Db } from './schema.js';

/** Hits the collector filtered out for a site since `sinceDay` (YYYY-MM-DD, UTC), by reason. */
export async function filteredSince(db: Db, siteId: number, sinceDay: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('filtered_hits')
    .select(['reason', (eb) => eb.fn.sum<number | string>('hits').as('hits')])
    .where('site_id', '=', siteId)
    .where('day', '>=', sinceDay)
    .groupBy('reason')
    .execute();
  // PostgreSQL's sum of bigint is numeric, which the driver hands back as a string.
  return Object.fromEntries(rows.map((row) => [row.reason, Number(row.hits)]));
}
