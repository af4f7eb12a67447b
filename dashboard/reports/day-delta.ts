/**
 * What a chunk of the engine changes in the day roll-ups (rollup_days,
 * rollup_hours, rollup_rows): each touched visitor-day's share after the
 * chunk, less its share before, added up per day and then added to the
 * stored rows in the chunk's transaction.
 */
import { blockKey, blocksOf } from '../../core/db/rollup-blocks.js';
import type { DaySums } from '../../core/db/rollup-sums.js';
import { runBatched, type WriteSession } from '../../core/db/write-session.js';

/** What a chunk changes in one day's roll-ups: the summed blocks that hold the day no longer hold. */
interface DayDelta {
  siteId: number;
  day: string;
  /** In SUMS order. */
  totals: number[];
  /** Per hour: visitors, page views. */
  hours: Map<number, number[]>;
  /** Per `dimension NUL value`: SUMS, then engaged_ms. */
  rows: Map<string, { dimension: string; value: string; sums: number[] }>;
}

/** Per `site day`. */
export type Delta = Map<string, DayDelta>;

const SUMS = ['visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events'] as const;

/** Adds a visitor-day's share of a day's sums (`sign` 1) or takes it away (-1). */
// Called twice for each visitor-day a chunk touches, so it allocates little.
export function addDelta(delta: Delta, siteId: number, day: string, share: DaySums, sign: 1 | -1): void {
  const dayKey = `${siteId} ${day}`;
  let bucket = delta.get(dayKey);
  if (bucket === undefined) {
    bucket = { siteId, day, totals: [0, 0, 0, 0, 0, 0], hours: new Map(), rows: new Map() };
    delta.set(dayKey, bucket);
  }
  const { totals } = share;
  const t = bucket.totals as [number, number, number, number, number, number];
  t[0] += sign * totals.visitors;
  t[1] += sign * totals.visits;
  t[2] += sign * totals.pageviews;
  t[3] += sign * totals.bounces;
  t[4] += sign * totals.duration_ms;
  t[5] += sign * totals.events;
  for (const hour of share.hours) {
    let sums = bucket.hours.get(hour.hour);
    if (sums === undefined) {
      sums = [0, 0];
      bucket.hours.set(hour.hour, sums);
    }
    (sums as [number, number])[0] += sign * hour.visitors;
    (sums as [number, number])[1] += sign * hour.pageviews;
  }
  for (const row of share.rows) {
    const key = `${row.dimension}\u0000${row.value}`;
    let entry = bucket.rows.get(key);
    if (entry === undefined) {
      entry = { dimension: row.dimension, value: row.value, sums: [0, 0, 0, 0, 0, 0, 0] };
      bucket.rows.set(key, entry);
    }
    const r = entry.sums as [number, number, number, number, number, number, number];
    r[0] += sign * row.visitors;
    r[1] += sign * row.visits;
    r[2] += sign * row.pageviews;
    r[3] += sign * row.bounces;
    r[4] += sign * row.duration_ms;
    r[5] += sign * row.events;
    r[6] += sign * row.engaged_ms;
  }
}

const isZero = (sums: readonly number[]) => sums.every((n) => n === 0);
const changed = <T extends { sums: number[] }>(entries: T[]) => entries.filter((entry) => !isZero(entry.sums));
// Rows whose visitors went down may have gone to nothing: those go.
const fewer = <T extends { sums: number[] }>(entries: T[]) => entries.filter((entry) => (entry.sums[0] ?? 0) < 0);

/**
 * Adds a chunk's delta to the day roll-ups, deletes the rows it took to
 * nothing, and unmarks the summed blocks that hold a changed day, so that
 * they are summed again (see core/db/rollup-blocks.ts).
 */
export async function writeDelta(session: WriteSession, delta: Delta): Promise<void> {
  const buckets = [...delta.values()];
  await writeDays(session, changed(buckets.map(({ siteId, day, totals }) => ({ site_id: siteId, day, sums: totals }))));
  await writeHours(
    session,
    changed(buckets.flatMap(({ siteId, day, hours }) => [...hours].map(([hour, sums]) => ({ site_id: siteId, day, hour, sums })))),
  );
  await writeRows(
    session,
    changed(buckets.flatMap(({ siteId, day, rows }) => [...rows.values()].map((row) => ({ site_id: siteId, day, ...row })))),
  );
  await runBatched(
    session,
    'delete from rollup_blocks where (site_id, block) in (values',
    '(cast(? as bigint), ?)',
    ')',
    buckets.flatMap(({ siteId, day }) => blocksOf(day).map((block) => [siteId, blockKey(block)])),
  );
}

async function writeDays(session: WriteSession, dayRows: Array<{ site_id: number; day: string; sums: number[] }>): Promise<void> {
  await runBatched(
    session,
    `insert into rollup_days (site_id, day, ${SUMS.join(', ')}) values`,
    '(?, ?, ?, ?, ?, ?, ?, ?)',
    `on conflict (site_id, day) do update set ${SUMS.map((c) => `${c} = rollup_days.${c} + excluded.${c}`).join(', ')}`,
    dayRows.map(({ site_id, day, sums }) => [site_id, day, ...sums]),
  );
  await runBatched(
    session,
    'delete from rollup_days where visitors = 0 and visits = 0 and (site_id, day) in (values',
    '(cast(? as bigint), ?)',
    ')',
    fewer(dayRows).map(({ site_id, day }) => [site_id, day]),
  );
}

async function writeHours(
  session: WriteSession,
  hourRows: Array<{ site_id: number; day: string; hour: number; sums: number[] }>,
): Promise<void> {
  await runBatched(
    session,
    'insert into rollup_hours (site_id, day, hour, visitors, pageviews) values',
    '(?, ?, ?, ?, ?)',
    'on conflict (site_id, day, hour) do update set visitors = rollup_hours.visitors + excluded.visitors, pageviews = rollup_hours.pageviews + excluded.pageviews',
    hourRows.map(({ site_id, day, hour, sums }) => [site_id, day, hour, ...sums]),
  );
  await runBatched(
    session,
    'delete from rollup_hours where visitors = 0 and (site_id, day, hour) in (values',
    '(cast(? as bigint), ?, cast(? as bigint))',
    ')',
    fewer(hourRows).map(({ site_id, day, hour }) => [site_id, day, hour]),
  );
}

async function writeRows(
  session: WriteSession,
  breakdownRows: Array<{ site_id: number; day: string; dimension: string; value: string; sums: number[] }>,
): Promise<void> {
  const rowSums = [...SUMS, 'engaged_ms'];
  await runBatched(
    session,
    `insert into rollup_rows (site_id, dimension, day, value, ${rowSums.join(', ')}) values`,
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    `on conflict (site_id, dimension, day, value) do update set ${rowSums.map((c) => `${c} = rollup_rows.${c} + excluded.${c}`).join(', ')}`,
    breakdownRows.map(({ site_id, dimension, day, value, sums }) => [site_id, dimension, day, value, ...sums]),
  );
  await runBatched(
    session,
    'delete from rollup_rows where visitors = 0 and (site_id, dimension, day, value) in (values',
    '(cast(? as bigint), ?, ?, ?)',
    ')',
    fewer(breakdownRows).map(({ site_id, dimension, day, value }) => [site_id, dimension, day, value]),
  );
}
