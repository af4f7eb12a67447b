/**
 * The report's roll-ups: per site and local day, the totals, the hours and
 * the breakdown rows that dashboard/reports/aggregate.ts defines. The
 * analytics engine (dashboard/reports/engine.ts) keeps them, adding each
 * visitor's change as events come; this module reads them, and sums the
 * breakdown rows of ended blocks of days.
 */
import { sql } from 'kysely';
import { addDays, DAY_MS } from '../time.js';
import type { Store } from './connect.js';
import type { EventFilterColumn } from './events.js';
import type { Db, Event, RollupSums } from './schema.js';

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

/** Sums of nothing. */
export function zeroSums(): Sums {
  return { visitors: 0, visits: 0, pageviews: 0, bounces: 0, duration_ms: 0, events: 0 };
}

/** Adds `more` into `sum`. */
export function addSums(sum: Sums, more: Sums): void {
  sum.visitors += more.visitors;
  sum.visits += more.visits;
  sum.pageviews += more.pageviews;
  sum.bounces += more.bounces;
  sum.duration_ms += more.duration_ms;
  sum.events += more.events;
}

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

/**
 * Columns that a visitor's events can be picked by (see `readReportEvents`):
 * those the raw list filters on, but for browser_version, which a report
 * shows joined with the browser.
 */
export type EventColumn = Exclude<EventFilterColumn, 'browser_version'>;

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

/** How long the blocks of days are that breakdown rows are summed over: aligned powers of two. */
export const BLOCK_DAYS = [2, 4, 8, 16, 32, 64, 128, 256] as const;

const LONGEST_FIRST = [...BLOCK_DAYS].reverse();

/** An aligned block of local days: its first day's number (days since 1970-01-01) is a multiple of its length. */
export interface Block {
  first: string;
  days: number;
}

/** A block's name in the tables: `YYYY-MM-DD+N`. */
export function blockKey(block: Block): string {
  return `${block.first}+${block.days}`;
}

const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
const dayOfNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The blocks that hold `day`, one of each length, shortest first. */
export function blocksOf(day: string): Block[] {
  const n = dayNumber(day);
  return BLOCK_DAYS.map((days) => ({ first: dayOfNumber(n - (n % days)), days }));
}

/** The two halves of a block. */
export function halves(block: Block): [Block, Block] {
  const days = block.days / 2;
  return [
    { first: block.first, days },
    { first: addDays(block.first, days), days },
  ];
}

/**
 * Cuts the days from `from` to `to` into the longest summed blocks that
 * fit, and the days left over.
 */
export function coverDays(from: string, to: string, summed: ReadonlySet<string>): Cover {
  const blocks: string[] = [];
  const days: string[] = [];
  const end = dayNumber(to);
  for (let n = dayNumber(from); n <= end; ) {
    const fits = (d: number) => n % d === 0 && n + d - 1 <= end && summed.has(blockKey({ first: dayOfNumber(n), days: d }));
    const length = LONGEST_FIRST.find(fits);
    if (length === undefined) {
      days.push(dayOfNumber(n));
      n++;
    } else {
      blocks.push(blockKey({ first: dayOfNumber(n), days: length }));
      n += length;
    }
  }
  return { blocks, days };
}

/**
 * Sums a block's breakdown rows into one row per value, and marks the block
 * as summed: each half from its sums when it has them, else from its days
 * (a half without traffic never has sums). Only for blocks that have
 * ended: their days no longer change but for late events, whose fold
 * unmarks the block again (engine.ts). Only the engine's lease holder runs
 * it, between its chunks, so that no half changes meanwhile.
 */
export async function replaceBlock(store: Store, siteId: number, block: Block): Promise<void> {
  const key = blockKey(block);
  const parts = block.days === 2 ? [] : halves(block);
  const marked = parts.length === 0 ? new Set<string>() : await summedBlocks(store.db, siteId, parts.map(blockKey));
  const fromDays = (part: Block) =>
    sql`select site_id, dimension, value, visitors, visits, pageviews, bounces, duration_ms, events, engaged_ms from rollup_rows
      where site_id = ${siteId} and day >= ${part.first} and day <= ${addDays(part.first, part.days - 1)}`;
  const fromSums = (part: Block) =>
    sql`select site_id, dimension, value, visitors, visits, pageviews, bounces, duration_ms, events, engaged_ms from rollup_block_rows
      where site_id = ${siteId} and block = ${blockKey(part)}`;
  const source =
    parts.length === 0
      ? fromDays(block)
      : sql.join(
          parts.map((part) => (marked.has(blockKey(part)) ? fromSums(part) : fromDays(part))),
          sql` union all `,
        );
  const sums = sql`sum(visitors), sum(visits), sum(pageviews), sum(bounces), sum(duration_ms), sum(events), sum(engaged_ms)`;
  const statements = [
    sql`delete from rollup_block_rows where site_id = ${siteId} and block = ${key}`,
    sql`insert into rollup_block_rows (site_id, dimension, block, value, visitors, visits, pageviews, bounces, duration_ms, events, engaged_ms)
      select site_id, dimension, cast(${key} as text), value, ${sums} from (${source}) as parts group by site_id, dimension, value`,
    sql`insert into rollup_blocks (site_id, block) values (${siteId}, ${key}) on conflict (site_id, block) do nothing`,
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
  // Immediate: it reads then writes, beside other connections that write.
  sqlite
    .transaction(() => {
      for (const { sql: text, parameters } of compiled) sqlite.prepare(text).run(...(parameters as unknown[]));
    })
    .immediate();
}

/**
 * The blocks that hold rolled-up days, end before their site's day in
 * `endBefore`, and have no sums yet: shorter blocks first, so that longer
 * ones can be summed from their halves. Sites missing from `endBefore` are
 * left out.
 */
export async function unsummedBlocks(db: Db, endBefore: ReadonlyMap<number, string>): Promise<Array<{ siteId: number; block: Block }>> {
  const days = await db.selectFrom('rollup_days').select(['site_id', 'day']).orderBy('site_id').orderBy('day').execute();
  const summed = new Set(
    (await db.selectFrom('rollup_blocks').select(['site_id', 'block']).execute()).map((r) => `${r.site_id} ${r.block}`),
  );
  const found = new Map<string, { siteId: number; block: Block }>();
  for (const { site_id, day } of days) {
    const limit = endBefore.get(site_id);
    if (limit === undefined) continue;
    for (const block of blocksOf(day)) {
      const key = `${site_id} ${blockKey(block)}`;
      if (addDays(block.first, block.days - 1) < limit && !summed.has(key)) found.set(key, { siteId: site_id, block });
    }
  }
  return [...found.values()].sort((a, b) => a.block.days - b.block.days);
}

/** Which of `keys` are summed blocks of the site. */
async function summedBlocks(db: Db, siteId: number, keys: readonly string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('rollup_blocks').select('block').where('site_id', '=', siteId).where('block', 'in', keys).execute();
  return new Set(rows.map((row) => row.block));
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

/** How a period is read: its summed blocks and the days left over (see `coverDays`). */
export interface Cover {
  blocks: string[];
  days: string[];
}

/** The cover of the days from `from` to `to`, from the site's summed blocks. */
export async function coverPeriod(db: Db, siteId: number, from: string, to: string): Promise<Cover> {
  const summed = await db
    .selectFrom('rollup_blocks')
    .select('block')
    .where('site_id', '=', siteId)
    .where('block', '>=', from)
    .where('block', '<', addDays(to, 1))
    .execute();
  return coverDays(from, to, new Set(summed.map((row) => row.block)));
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
  return rows.map(({ value, engaged_ms, ...sums }) => ({ dimension, value, engaged_ms: Number(engaged_ms ?? 0), ...numbers(sums) }));
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
