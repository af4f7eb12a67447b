/**
 * The report's roll-ups: per site and local day, the totals, the hours and
 * the breakdown rows that dashboard/reports/aggregate.ts computes from the
 * day's events. The event writer marks each (site, UTC day) it adds to in
 * `rollup_dirty`; the roll-up job recomputes those days and clears the
 * mark, unless more events came meanwhile.
 */
import { type Kysely, sql } from 'kysely';
import { addDays, utcDay } from '../time.js';
import type { Store } from './connect.js';
import { dialectOf } from './dialect.js';
import type { Database, Db, Event, RollupSums } from './schema.js';

/** What the report reads of an event. */
export const REPORT_EVENT_COLUMNS = [
  'id',
  'ts',
  'name',
  'url',
  'visitor_id',
  'engaged_ms',
  'props',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
  'device',
] as const satisfies readonly (keyof Event)[];

/** An event as the report reads it. */
export type ReportEvent = Pick<Event, (typeof REPORT_EVENT_COLUMNS)[number]>;

/** What the report adds up. */
export type Sums = RollupSums;

/** One row of one breakdown. `engaged_ms` is time on page, for page and exit-page rows. */
export interface BreakdownRow extends Sums {
  dimension: string;
  value: string;
  engaged_ms: number;
}

/** One hour of the chart. */
export interface HourSums {
  /** The hour's first instant, epoch milliseconds. */
  hour: number;
  visitors: number;
  pageviews: number;
}

/** Everything the report keeps of one local day. */
export interface DaySums {
  totals: Sums;
  hours: HourSums[];
  rows: BreakdownRow[];
}

/** A (site, UTC day) whose events changed. */
export interface DirtyDay {
  site_id: number;
  day: string;
  version: number;
}

/**
 * The (site, UTC day) pairs that rows add events to. Every write of events
 * marks them in its own transaction, so no stored event is left out of the
 * roll-ups.
 */
export function changedDays(rows: ReadonlyArray<{ site_id: number; ts: number }>): Array<[number, string]> {
  const seen = new Map<string, [number, string]>();
  for (const row of rows) {
    const day = utcDay(row.ts);
    seen.set(`${row.site_id} ${day}`, [row.site_id, day]);
  }
  return [...seen.values()];
}

/** Marks the days that `rows` add to (see `changedDays`); the SQLite batch writer has its own prepared copy. */
export async function markChanged(db: Db, rows: ReadonlyArray<{ site_id: number; ts: number }>): Promise<void> {
  const changed = changedDays(rows);
  if (changed.length === 0) return;
  await db
    .insertInto('rollup_dirty')
    .values(changed.map(([site_id, day]) => ({ site_id, day, version: 1 })))
    .onConflict((oc) => oc.columns(['site_id', 'day']).doUpdateSet({ version: sql`rollup_dirty.version + 1` }))
    .execute();
}

/** Columns that a visitor's events can be picked by (see `readReportEvents`). */
export type EventColumn =
  | 'name'
  | 'source'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content'
  | 'country'
  | 'region'
  | 'city'
  | 'browser'
  | 'os'
  | 'device';

/** An event whose `column` is `value`; a `value` of '' means none (null or empty). */
export interface EventCondition {
  column: EventColumn;
  value: string;
}

/**
 * A site's events in [from, to), sorted by visitor, then time: what
 * aggregate.ts takes. With conditions, only the events of visitors who
 * have, for each condition, some event in the range that meets it (an
 * event without a visitor id stands for itself): all of those visitors'
 * events, so that their visits stay whole.
 */
export async function readReportEvents(
  db: Db,
  siteId: number,
  from: number,
  to: number,
  conditions: readonly EventCondition[] = [],
): Promise<ReportEvent[]> {
  let query = db
    .selectFrom('events')
    .select(REPORT_EVENT_COLUMNS)
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to);
  for (const { column, value } of conditions) {
    // `column` is one of EventColumn, never user input; `value` is a parameter.
    const meets = (table: 'events' | 'm') => {
      const ref = sql.ref(`${table}.${column}`);
      return value === '' ? sql<boolean>`(${ref} is null or ${ref} = '')` : sql<boolean>`${ref} = ${value}`;
    };
    query = query.where((eb) => {
      return eb.or([
        eb(
          'visitor_id',
          'in',
          eb
            .selectFrom('events as m')
            .select('m.visitor_id')
            .where('m.site_id', '=', siteId)
            .where('m.ts', '>=', from)
            .where('m.ts', '<', to)
            .where(meets('m')),
        ),
        eb.and([eb('visitor_id', 'is', null), meets('events')]),
      ]);
    });
  }
  return query.orderBy('visitor_id').orderBy('ts').orderBy('id').execute();
}

/** Up to `limit` days waiting to be rolled up, oldest first; of one site when `siteId` is given. */
export async function listDirtyDays(db: Db, limit: number, siteId?: number): Promise<DirtyDay[]> {
  let query = db.selectFrom('rollup_dirty').selectAll();
  if (siteId !== undefined) query = query.where('site_id', '=', siteId);
  return query.orderBy('day').orderBy('site_id').limit(limit).execute();
}

/** Clears a day's mark, unless events arrived after `version` was read. */
export async function clearDirtyDay(db: Db, dirty: DirtyDay): Promise<void> {
  await db
    .deleteFrom('rollup_dirty')
    .where('site_id', '=', dirty.site_id)
    .where('day', '=', dirty.day)
    .where('version', '=', dirty.version)
    .execute();
}

/**
 * Forgets a site's roll-ups and marks every UTC day with events to be
 * rolled up again: after its time zone changed, its days are cut anew.
 */
export async function redoSiteRollups(db: Kysely<Database>, siteId: number): Promise<void> {
  for (const table of ['rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_month_rows', 'rollup_months'] as const) {
    await db.deleteFrom(table).where('site_id', '=', siteId).execute();
  }
  const utcDayOf =
    dialectOf(db) === 'postgres'
      ? sql<string>`to_char(to_timestamp(ts / 1000) at time zone 'UTC', 'YYYY-MM-DD')`
      : sql<string>`strftime('%Y-%m-%d', ts / 1000, 'unixepoch')`;
  await sql`insert into rollup_dirty (site_id, day, version)
    select distinct site_id, ${utcDayOf}, 1 from events where site_id = ${siteId}
    on conflict (site_id, day) do update set version = rollup_dirty.version + 1`.execute(db);
}

/**
 * Replaces one local day's roll-ups, all at once: a reader sees the old day
 * or the new one. On SQLite this runs on the raw handle in one synchronous
 * transaction, as the event writer does (see ARCHITECTURE.md).
 */
export async function replaceDay(store: Store, siteId: number, day: string, sums: DaySums): Promise<void> {
  const { totals, hours, rows } = sums;
  const dayRow = { site_id: siteId, day, ...totals };
  const hourRows = hours.map((hour) => ({ site_id: siteId, day, ...hour }));
  const breakdownRows = rows.map((row) => ({ site_id: siteId, day, ...row }));
  const sqlite = store.sqlite;
  if (sqlite === undefined) {
    await store.db.transaction().execute(async (trx) => {
      for (const table of ['rollup_days', 'rollup_hours', 'rollup_rows'] as const) {
        await trx.deleteFrom(table).where('site_id', '=', siteId).where('day', '=', day).execute();
      }
      // The month's sums no longer hold; replaceMonth makes them again.
      await trx.deleteFrom('rollup_months').where('site_id', '=', siteId).where('month', '=', day.slice(0, 7)).execute();
      if (totals.visits === 0 && totals.visitors === 0) return;
      await trx.insertInto('rollup_days').values(dayRow).execute();
      if (hourRows.length > 0) await trx.insertInto('rollup_hours').values(hourRows).execute();
      // 11 parameters a row; PostgreSQL takes 65,535 a statement.
      for (let start = 0; start < breakdownRows.length; start += 5000) {
        await trx
          .insertInto('rollup_rows')
          .values(breakdownRows.slice(start, start + 5000))
          .execute();
      }
    });
    return;
  }
  sqlite.transaction(() => {
    sqlite.prepare('delete from rollup_days where site_id = ? and day = ?').run(siteId, day);
    sqlite.prepare('delete from rollup_hours where site_id = ? and day = ?').run(siteId, day);
    sqlite.prepare('delete from rollup_rows where site_id = ? and day = ?').run(siteId, day);
    sqlite.prepare('delete from rollup_months where site_id = ? and month = ?').run(siteId, day.slice(0, 7));
    if (totals.visits === 0 && totals.visitors === 0) return;
    sqlite
      .prepare(
        'insert into rollup_days (site_id, day, visitors, visits, pageviews, bounces, duration_ms, events) values (@site_id, @day, @visitors, @visits, @pageviews, @bounces, @duration_ms, @events)',
      )
      .run(dayRow);
    const hour = sqlite.prepare(
      'insert into rollup_hours (site_id, day, hour, visitors, pageviews) values (@site_id, @day, @hour, @visitors, @pageviews)',
    );
    for (const row of hourRows) hour.run(row);
    const breakdown = sqlite.prepare(
      'insert into rollup_rows (site_id, dimension, day, value, visitors, visits, pageviews, bounces, duration_ms, events, engaged_ms) values (@site_id, @dimension, @day, @value, @visitors, @visits, @pageviews, @bounces, @duration_ms, @events, @engaged_ms)',
    );
    for (const row of breakdownRows) breakdown.run(row);
  })();
}

/**
 * Sums a whole local month's breakdown rows into one row per value, and
 * marks the month as summed. Only for months that have ended: their days no
 * longer change but for late events, whose roll-up unmarks the month again.
 */
export async function replaceMonth(store: Store, siteId: number, month: string): Promise<void> {
  const statements = [
    sql`delete from rollup_month_rows where site_id = ${siteId} and month = ${month}`,
    sql`insert into rollup_month_rows (site_id, dimension, month, value, visitors, visits, pageviews, bounces, duration_ms, events, engaged_ms)
      select site_id, dimension, ${month}, value, sum(visitors), sum(visits), sum(pageviews), sum(bounces), sum(duration_ms), sum(events), sum(engaged_ms)
      from rollup_rows where site_id = ${siteId} and day >= ${`${month}-01`} and day <= ${`${month}-31`}
      group by site_id, dimension, value`,
    sql`insert into rollup_months (site_id, month) values (${siteId}, ${month}) on conflict (site_id, month) do nothing`,
  ];
  const sqlite = store.sqlite;
  if (sqlite === undefined) {
    await store.db.transaction().execute(async (trx) => {
      for (const statement of statements) await statement.execute(trx);
    });
    return;
  }
  // The same statements, compiled by Kysely, run in one synchronous transaction.
  const compiled = statements.map((statement) => statement.compile(store.db));
  sqlite.transaction(() => {
    for (const { sql: text, parameters } of compiled) sqlite.prepare(text).run(...(parameters as unknown[]));
  })();
}

/** Months before `before` (`YYYY-MM`) that have daily roll-ups but no month sums yet. */
export async function unsummedMonths(db: Db, before: string): Promise<Array<{ site_id: number; month: string }>> {
  const rows = await db
    .selectFrom('rollup_days')
    .select(['site_id', sql<string>`substr(day, 1, 7)`.as('month')])
    .where('day', '<', `${before}-01`)
    .distinct()
    .execute();
  const summed = new Set(
    (await db.selectFrom('rollup_months').select(['site_id', 'month']).execute()).map((r) => `${r.site_id} ${r.month}`),
  );
  return rows.filter((row) => !summed.has(`${row.site_id} ${row.month}`));
}

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
  return numbers(row);
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
 * One breakdown over the days from `from` to `to`: the top `limit` rows by
 * visitors. Whole months with month sums are read from those, the other
 * days from the daily rows.
 */
export async function breakdown(
  db: Db,
  siteId: number,
  dimension: string,
  from: string,
  to: string,
  limit: number,
): Promise<BreakdownRow[]> {
  const months = await summedMonthsWithin(db, siteId, from, to);
  const ranges = uncoveredRanges(from, to, months);
  const sums = ['value', 'visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events', 'engaged_ms'] as const;
  const daily = db
    .selectFrom('rollup_rows')
    .select(sums)
    .where('site_id', '=', siteId)
    .where('dimension', '=', dimension)
    .where((eb) => eb.or(ranges.map(([a, b]) => eb.and([eb('day', '>=', a), eb('day', '<=', b)]))));
  const parts =
    months.length === 0
      ? daily
      : daily.unionAll(
          db
            .selectFrom('rollup_month_rows')
            .select(sums)
            .where('site_id', '=', siteId)
            .where('dimension', '=', dimension)
            .where('month', 'in', months),
        );
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
  return rows.map(({ value, engaged_ms, ...sums }) => ({ dimension, value, engaged_ms: Number(engaged_ms ?? 0), ...numbers(sums) }));
}

/** The months wholly inside [from, to] that have month sums. */
async function summedMonthsWithin(db: Db, siteId: number, from: string, to: string): Promise<string[]> {
  const rows = await db
    .selectFrom('rollup_months')
    .select('month')
    .where('site_id', '=', siteId)
    .where('month', '>=', from.slice(0, 7))
    .where('month', '<=', to.slice(0, 7))
    .orderBy('month')
    .execute();
  return rows.map((row) => row.month).filter((month) => `${month}-01` >= from && lastDayOf(month) <= to);
}

/** The last date of a `YYYY-MM` month. */
function lastDayOf(month: string): string {
  // Day 0 of the next month is the last of this one.
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
}

/** The day ranges of [from, to] outside the given whole months (sorted), as [first, last] pairs. */
export function uncoveredRanges(from: string, to: string, months: readonly string[]): Array<[string, string]> {
  const ranges: Array<[string, string]> = [];
  let start = from;
  for (const month of months) {
    const first = `${month}-01`;
    if (first > start) ranges.push([start, addDays(first, -1)]);
    start = addDays(lastDayOf(month), 1);
  }
  if (start <= to) ranges.push([start, to]);
  // An empty OR would match nothing, which is right: every day is in a month.
  return ranges.length === 0 ? [['9999-12-31', '0000-01-01']] : ranges;
}

// Sums come back as strings from PostgreSQL (numeric) and null over no rows.
function numbers(row: Record<keyof Sums, number | string | null>): Sums {
  return {
    visitors: Number(row.visitors ?? 0),
    visits: Number(row.visits ?? 0),
    pageviews: Number(row.pageviews ?? 0),
    bounces: Number(row.bounces ?? 0),
    duration_ms: Number(row.duration_ms ?? 0),
    events: Number(row.events ?? 0),
  };
}
