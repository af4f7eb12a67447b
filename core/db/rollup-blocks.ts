/**
 * Summed blocks of days: breakdown rows summed over aligned blocks of local
 * days that have ended, so that a long period reads a few block sums and
 * the days left over rather than every day. The engine's lease holder sums
 * them between chunks (dashboard/reports/rollup-job.ts); a chunk that
 * changes a day unmarks the blocks that hold it (dashboard/reports/engine.ts).
 */
import { sql } from 'kysely';
import { addDays, DAY_MS } from '../time.js';
import type { Store } from './connect.js';
import type { Db } from './schema.js';

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

/** How a period is read: its summed blocks and the days left over (see `coverDays`). */
export interface Cover {
  blocks: string[];
  days: string[];
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
