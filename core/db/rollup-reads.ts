/**
 * The unfiltered report's reads of the roll-ups: a period's totals, its
 * daily and hourly series, and its breakdowns, from the daily rows and the
 * summed blocks (rollup-blocks.ts). The analytics engine
 * (dashboard/reports/engine.ts) keeps these tables; what their rows mean
 * is defined in dashboard/reports/aggregate.ts.
 */
import type { Cover } from './rollup-blocks.js';
import { type BreakdownRow, type HourSums, type Sums, sumsOfRow } from './rollup-sums.js';
import type { Db } from './schema.js';

/** The totals of the days from `from` to `to` (both included). */
export async function sumDays(db: Db, siteId: number, from: string, to: string): Promise<Sums> {
  const row = await db
    .selectFrom('rollup_days')
    .select((eb) => [
      eb.fn.sum<number | string>('visitors').as('visitors'),
      eb.fn.sum<number | string>('visits').as('visits'),
      eb.fn.sum<number | string>('pageviews').as('pageviews'),
      eb.fn.sum<number | string>('bounces').as('bounces'),
      eb.fn.sum<number | string>('duration_ms').as('duration_ms'),
      eb.fn.sum<number | string>('events').as('events'),
    ])
    .where('site_id', '=', siteId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .executeTakeFirstOrThrow();
  return sumsOfRow(row);
}

/** Visitors and page views per day, for days that have any. */
export async function dailySeries(
  db: Db,
  siteId: number,
  from: string,
  to: string,
): Promise<Array<{ day: string; visitors: number; pageviews: number }>> {
  const rows = await db
    .selectFrom('rollup_days')
    .select(['day', 'visitors', 'pageviews'])
    .where('site_id', '=', siteId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .execute();
  return rows.map((row) => ({ day: row.day, visitors: Number(row.visitors), pageviews: Number(row.pageviews) }));
}

/** Visitors and page views per hour of the days from `from` to `to`. */
export async function hourlySeries(db: Db, siteId: number, from: string, to: string): Promise<HourSums[]> {
  const rows = await db
    .selectFrom('rollup_hours')
    .select(['hour', 'visitors', 'pageviews'])
    .where('site_id', '=', siteId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('hour')
    .execute();
  return rows.map((row) => ({ hour: Number(row.hour), visitors: Number(row.visitors), pageviews: Number(row.pageviews) }));
}

/**
 * One breakdown over a period, read as `cover` says: the top `limit` rows
 * by visitors, from the sums of its blocks and the daily rows of its other
 * days.
 */
export async function breakdown(
  db: Db,
  siteId: number,
  dimension: string,
  { blocks, days }: Cover,
  limit: number,
): Promise<BreakdownRow[]> {
  if (blocks.length === 0 && days.length === 0) return [];
  const sums = ['value', 'visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events', 'engaged_ms'] as const;
  const daily = db
    .selectFrom('rollup_rows')
    .select(sums)
    .where('site_id', '=', siteId)
    .where('dimension', '=', dimension)
    // A list of days, not ranges: an OR of ranges would scan every day of the dimension.
    .where('day', 'in', days);
  const summedRows = db
    .selectFrom('rollup_block_rows')
    .select(sums)
    .where('site_id', '=', siteId)
    .where('dimension', '=', dimension)
    .where('block', 'in', blocks);
  const parts = blocks.length === 0 ? daily : days.length === 0 ? summedRows : daily.unionAll(summedRows);
  const rows = await db
    .selectFrom(parts.as('r'))
    .select((eb) => [
      'r.value',
      eb.fn.sum<number | string>('r.visitors').as('visitors'),
      eb.fn.sum<number | string>('r.visits').as('visits'),
      eb.fn.sum<number | string>('r.pageviews').as('pageviews'),
      eb.fn.sum<number | string>('r.bounces').as('bounces'),
      eb.fn.sum<number | string>('r.duration_ms').as('duration_ms'),
      eb.fn.sum<number | string>('r.events').as('events'),
      eb.fn.sum<number | string>('r.engaged_ms').as('engaged_ms'),
    ])
    .groupBy('r.value')
    .orderBy('visitors', 'desc')
    .orderBy('pageviews', 'desc')
    .orderBy('r.value')
    .limit(limit)
    .execute();
  return rows.map(({ value, engaged_ms, ...sums }) => ({ dimension, value, engaged_ms: Number(engaged_ms ?? 0), ...sumsOfRow(sums) }));
}
