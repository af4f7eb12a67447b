// bench:reports' command line (see bench-reports.ts) and fixed settings.
import type { Filter } from '../../dashboard/reports/dimensions.js';

export const BENCH_EMAIL = 'bench@example.com';
/** Rows per breakdown, as the report page shows them. */
export const BREAKDOWN_ROWS = 10;
/** The fewest events the timed site must have in its last 30 days. */
export const RECENT_FLOOR = 1_000_000;
/** What synthetic.ts's spikes add to the traffic on average, and seldom to the last 30 days. */
export const SPIKES = 1.03;
/** Events the engine folds between progress lines, at most. */
export const ENGINE_STEP = 100_000;
/** p50 targets on SQLite, in milliseconds; PostgreSQL gets POSTGRES_FACTOR times these. */
export const TARGET = { page30: 100, page12: 300, filter: 250, stacked: 400 } as const;
export const POSTGRES_FACTOR = 2;
/**
 * A filtered page whose warm-up takes longer than this is not run again:
 * that one run is its timing (a filtered report that scans the raw events
 * takes many seconds, and twenty of them over 7 rounds would take hours).
 */
export const SLOW_MS = 10_000;
/** Pairs of filters timed stacked, each on its breakdown's top value. */
export const STACKED: ReadonlyArray<readonly [Filter['dimension'], Filter['dimension']]> = [
  ['country', 'source'],
  ['page', 'device'],
  ['event', 'country'],
  ['utm_campaign', 'browser'],
];
export const QUICK_FILTERS: ReadonlyArray<Filter['dimension']> = ['country', 'page', 'event'];

const args = process.argv.slice(2);
const at = (name: string) => args.indexOf(`--${name}`);
export const QUICK = at('quick') !== -1;
/** A number option: a whole one of at least `min` unless told, or any of at least `min`. */
const number = (name: string, fallback: number, { min = 1, whole = true } = {}) => {
  const i = at(name);
  const value = i === -1 ? fallback : Number(args[i + 1]);
  if (!Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    throw new Error(`--${name} takes ${whole ? 'a whole number' : 'a number'} of at least ${min}`);
  }
  return value;
};
const text = (name: string) => {
  const i = at(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value === '' || value.startsWith('--')) throw new Error(`--${name} takes a value`);
  return value;
};
export const RECENT = number('recent', 1_100_000);
export const MONTHS = number('months', 13);
export const GROWTH = number('growth', 15, { min: 0, whole: false });
export const SEED = number('seed', 1);
export const ROUNDS = number('rounds', QUICK ? 2 : 7);
export const BASELINE_ROUNDS = number('baseline-rounds', 1, { min: 0 });
export const KEEP = text('keep');
export const NO_REBUILD = at('no-rebuild') !== -1;
export const KEEP_SCHEMA = text('keep-schema');
if (KEEP_SCHEMA !== undefined && !/^[a-z_][a-z0-9_]*$/.test(KEEP_SCHEMA)) throw new Error('--keep-schema takes a lower-case SQL name');
export const ONLY = text('only');
if (ONLY !== undefined && ONLY !== 'sqlite' && ONLY !== 'postgres') throw new Error('--only takes sqlite or postgres');

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? fmt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
export const seconds = (n: number) => `${(n / 1000).toFixed(1)} s`;
export const clip = (value: string, length: number) => (value.length <= length ? value : `${value.slice(0, length - 1)}…`);
export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
