/**
 * What the report adds up, as the roll-up tables hold it: the sums of a
 * day or a period, of one hour, and of one breakdown row.
 */
import type { RollupSums } from './schema.js';

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

/** Sums as SQL gives them back: strings from PostgreSQL (numeric), and null over no rows. */
export function sumsOfRow(row: Record<keyof Sums, number | string | null>): Sums {
  return {
    visitors: Number(row.visitors ?? 0),
    visits: Number(row.visits ?? 0),
    pageviews: Number(row.pageviews ?? 0),
    bounces: Number(row.bounces ?? 0),
    duration_ms: Number(row.duration_ms ?? 0),
    events: Number(row.events ?? 0),
  };
}
