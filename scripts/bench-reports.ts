/**
 * npm run bench:reports: how fast the report reads, for one busy site.
 *
 * Fills a store with one site's synthetic events (scripts/synthetic.ts):
 * at least 1,000,000 in its last 30 days, and 13 months of history before
 * them that grew sixteenfold (exponentially), so that the 12-month period
 * has data all through: about 5.7 million events in all. Times the analytics
 * engine making the visits and roll-ups from scratch (runEngine, then
 * sumEndedBlocks). Then times, as a signed-in owner gets it (createApp,
 * GET /site/ID?period=…&f=…), the whole report page: unfiltered over 30
 * days and 12 months, over 30 days with a single filter of every kind the
 * filter language has (state.ts: every breakdown but properties, each on
 * the top value of its breakdown), and with two filters stacked. Beside
 * each, the raw-scan baseline of the same report: `rawReport`, which adds
 * the period's events (and the period before's) up day by day: seconds to
 * minutes at this size, so it runs once by default; the report must equal
 * its numbers (checked).
 * p50 and p95 over several rounds after a warm-up, every page once per
 * round in turns, so that the machine's drift hits them all alike. The
 * process is pinned to core 0 (taskset) when it can be. SQLite always;
 * PostgreSQL too when TEST_DATABASE_URL is set.
 *
 * Targets (p50; PostgreSQL gets twice each): the report page ≤ 100 ms over
 * 30 days and ≤ 300 ms over 12 months; ≤ 250 ms with any single filter
 * over 30 days, ≤ 400 ms with two. Exits non-zero when one is missed, when
 * a report differs from its baseline, or when the site has fewer than
 * 1,000,000 events in its last 30 days.
 *
 *   npm run bench:reports -- --rounds 5 --keep /tmp/reports.db
 *
 * --recent N: events to aim for in the last 30 days (1,100,000; the total is
 *   worked out from the growth curve, and the real count is printed).
 * --months, --growth, --seed shape the data (13; 15, i.e. sixteenfold; 1).
 * --rounds N: timed rounds (7; 2 with --quick). A filtered page whose
 *   warm-up took over 10 s is timed by that one run.
 * --baseline-rounds N: rounds of the raw baselines (1; 0: none, and no checks).
 * --quick: a few filters, no per-query detail, no 12-month baseline.
 * --only sqlite|postgres: one store only.
 * --keep PATH: keeps the SQLite file and reuses its events on the next run
 *   (the engine then rebuilds every site, timed as well; --no-rebuild keeps
 *   its visits and roll-ups instead); generating and folding 5 million
 *   events takes minutes. As days pass, a kept file's last 30 days thin
 *   out: its count is checked every run.
 * --keep-schema NAME: the same on PostgreSQL, with a schema of that name in
 *   TEST_DATABASE_URL's database instead of a scratch one (drop it after).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { createIngest } from '../collector/app.js';
import { loadTracker } from '../collector/tracker.js';
import { loadConfig, loadTestSettings } from '../core/config.js';
import { insertSession, insertUser } from '../core/db/accounts.js';
import { migrate, openStore, type Store } from '../core/db/connect.js';
import { dailySeries, sumDays } from '../core/db/rollup-reads.js';
import type { Site } from '../core/db/schema.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { findSite } from '../core/db/sites.js';
import { IngestStats } from '../core/stats.js';
import { DAY_MS } from '../core/time.js';
import { newToken, tokenHash } from '../dashboard/auth.js';
import { DIMENSIONS, type Filter } from '../dashboard/reports/dimensions.js';
import { engineLag, rebuildSite, runEngine } from '../dashboard/reports/engine.js';
import { loadReport, type Period, parsePeriod, previousPeriod, type Report, rawReport } from '../dashboard/reports/report.js';
import { sumEndedBlocks } from '../dashboard/reports/rollup-job.js';
import { filterable } from '../dashboard/reports/state.js';
import { dayBounds, localDay } from '../dashboard/reports/zone.js';
import { createApp } from '../server/app.js';
import { generate } from './synthetic.js';

const TASKSET = '/usr/bin/taskset';
const BENCH_EMAIL = 'bench@example.com';
/** Rows per breakdown, as the report page shows them. */
const BREAKDOWN_ROWS = 10;
/** The fewest events the timed site must have in its last 30 days. */
const RECENT_FLOOR = 1_000_000;
/** What synthetic.ts's spikes add to the traffic on average, and seldom to the last 30 days. */
const SPIKES = 1.03;
/** Events the engine folds between progress lines, at most. */
const ENGINE_STEP = 100_000;
/** p50 targets on SQLite, in milliseconds; PostgreSQL gets POSTGRES_FACTOR times these. */
const TARGET = { page30: 100, page12: 300, filter: 250, stacked: 400 } as const;
const POSTGRES_FACTOR = 2;
/**
 * A filtered page whose warm-up takes longer than this is not run again:
 * that one run is its timing (a filtered report that scans the raw events
 * takes many seconds, and twenty of them over 7 rounds would take hours).
 */
const SLOW_MS = 10_000;
/** Pairs of filters timed stacked, each on its breakdown's top value. */
const STACKED: ReadonlyArray<readonly [Filter['dimension'], Filter['dimension']]> = [
  ['country', 'source'],
  ['page', 'device'],
  ['event', 'country'],
  ['utm_campaign', 'browser'],
];
const QUICK_FILTERS: ReadonlyArray<Filter['dimension']> = ['country', 'page', 'event'];

const args = process.argv.slice(2);
const at = (name: string) => args.indexOf(`--${name}`);
const QUICK = at('quick') !== -1;
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
const RECENT = number('recent', 1_100_000);
const MONTHS = number('months', 13);
const GROWTH = number('growth', 15, { min: 0, whole: false });
const SEED = number('seed', 1);
const ROUNDS = number('rounds', QUICK ? 2 : 7);
const BASELINE_ROUNDS = number('baseline-rounds', 1, { min: 0 });
const KEEP = text('keep');
const NO_REBUILD = at('no-rebuild') !== -1;
const KEEP_SCHEMA = text('keep-schema');
if (KEEP_SCHEMA !== undefined && !/^[a-z_][a-z0-9_]*$/.test(KEEP_SCHEMA)) throw new Error('--keep-schema takes a lower-case SQL name');
const ONLY = text('only');
if (ONLY !== undefined && ONLY !== 'sqlite' && ONLY !== 'postgres') throw new Error('--only takes sqlite or postgres');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? fmt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const seconds = (n: number) => `${(n / 1000).toFixed(1)} s`;
/** Nearest-rank percentile. */
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const clip = (value: string, length: number) => (value.length <= length ? value : `${value.slice(0, length - 1)}…`);

/** Pins this process (all its threads) to core 0, as bench:ingest pins its servers. */
function pin(): string {
  if (!existsSync(TASKSET)) return 'not pinned: no taskset';
  try {
    execFileSync(TASKSET, ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
    return 'this process pinned to core 0 (taskset -a -cp 0)';
  } catch {
    return 'not pinned: taskset failed';
  }
}

interface Op {
  label: string;
  run: () => Promise<unknown>;
}

interface Timing {
  label: string;
  p50: number;
  p95: number;
  samples: number[];
  /** Timed by its warm-up alone, which took over `slowMs`. */
  slow: boolean;
  /** Why it failed (a query timeout, say): it was not run again. */
  error?: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `rounds` rounds of every op once, in turns, after one warm-up round
 * unless told; an op whose warm-up took over `slowMs` is timed by it alone,
 * and one that throws is not run again.
 */
async function measure(ops: readonly Op[], rounds: number, warmUp = true, slowMs = Number.POSITIVE_INFINITY): Promise<Timing[]> {
  const samples = ops.map(() => [] as number[]);
  const slow = ops.map(() => false);
  const errors = ops.map((): string | undefined => undefined);
  const time = async (i: number, op: Op): Promise<number | undefined> => {
    const started = performance.now();
    try {
      await op.run();
    } catch (error) {
      errors[i] = message(error);
      return undefined;
    }
    return performance.now() - started;
  };
  if (warmUp) {
    for (const [i, op] of ops.entries()) {
      const took = await time(i, op);
      if (took !== undefined && took > slowMs) {
        slow[i] = true;
        samples[i]?.push(took);
      }
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, op] of ops.entries()) {
      if (slow[i] || errors[i] !== undefined) continue;
      const took = await time(i, op);
      if (took !== undefined) samples[i]?.push(took);
    }
  }
  return ops.map((op, i) => {
    const error = errors[i];
    return {
      label: op.label,
      p50: error === undefined ? percentile(samples[i] ?? [], 50) : Number.NaN,
      p95: error === undefined ? percentile(samples[i] ?? [], 95) : Number.NaN,
      samples: samples[i] ?? [],
      slow: slow[i] ?? false,
      ...(error === undefined ? {} : { error }),
    };
  });
}

/** Runs `work` with console.log muted: the dashboard logs a line per request. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await work();
  } finally {
    console.log = log;
  }
}

async function countRows(store: Store, table: 'events' | 'visits' | 'rollup_rows' | 'rollup_block_rows'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countEvents(store: Store, siteId: number, from: number, to: number, pageviews = false): Promise<number> {
  let query = store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to);
  if (pageviews) query = query.where('name', '=', 'pageview');
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/**
 * How many events to generate so that about `recent` fall in the last 30
 * days: the share of those days under synthetic.ts's exponential curve,
 * with its spikes (1% of days, two to four times the traffic) spread
 * evenly; weekdays, the hours of today and noise left out. The real count
 * is checked.
 */
function eventsFor(recent: number, end: number): number {
  const endDay = Math.floor(end / DAY_MS);
  const start = new Date(endDay * DAY_MS);
  start.setUTCMonth(start.getUTCMonth() - MONTHS);
  const days = endDay - start.getTime() / DAY_MS + 1;
  let all = 0;
  let last = 0;
  for (let d = 0; d < days; d++) {
    const today = d === days - 1 ? (end - endDay * DAY_MS) / DAY_MS : 1;
    const weight = (1 + GROWTH) ** (d / Math.max(1, days - 1)) * today;
    all += weight;
    if (d >= days - 30) last += weight;
  }
  return Math.ceil((recent * all * SPIKES) / last);
}

/** What differs between two reports of the same query, at most a few lines. */
function differences(got: Report, want: Report): string[] {
  const out: string[] = [];
  const sums = ['visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events'] as const;
  for (const part of ['totals', 'previous'] as const) {
    for (const name of sums) {
      if (got[part][name] !== want[part][name]) out.push(`${part}.${name} ${got[part][name]}, raw ${want[part][name]}`);
    }
  }
  const series = (r: Report) => r.series.map((p) => `${p.label} ${p.visitors} ${p.pageviews}`).join(', ');
  if (series(got) !== series(want)) out.push('the series differs');
  for (const dimension of DIMENSIONS) {
    const a = got.breakdowns[dimension];
    const b = want.breakdowns[dimension];
    // The order of rows with equal visitors and page views is the database's collation: only the values in both are compared.
    const shape = (rows: typeof a) => rows.map((row) => `${row.visitors}/${row.pageviews}`).join(' ');
    if (shape(a) !== shape(b)) {
      out.push(`${dimension}: rows ${shape(a)}; raw ${shape(b)}`);
      continue;
    }
    const byValue = new Map(b.map((row) => [row.value, row]));
    for (const row of a) {
      const other = byValue.get(row.value);
      if (other === undefined) continue;
      const fields = [...sums, 'engaged_ms'] as const;
      const wrong = fields.filter((field) => row[field] !== other[field]);
      if (wrong.length > 0) out.push(`${dimension} "${row.value}": ${wrong.map((f) => `${f} ${row[f]}, raw ${other[f]}`).join('; ')}`);
    }
  }
  return out.slice(0, 6);
}

/** One line of the table: a report page, its raw baseline, and its target. */
interface Row {
  label: string;
  period: Period;
  filters: Filter[];
  target: number;
  page?: Timing;
  baseline?: number;
  check?: 'equal' | 'DIFFERS' | 'ERROR' | 'not checked';
}

/** Fills (or reuses) the store, runs the engine, and measures; false when a target or a check is missed. */
async function bench(label: string, store: Store, factor: number): Promise<boolean> {
  const { db } = store;
  let ok = true;
  const say = (line: string) => console.log(`${label}: ${line}`);

  // The events: generated, or those of a kept file.
  const existing = await countRows(store, 'events');
  let siteId: number;
  if (existing === 0) {
    const end = Date.now();
    const events = eventsFor(RECENT, end);
    say(
      `generating ${fmt(events)} events for one site over ${MONTHS} months, growing ${fmt(1 + GROWTH)}-fold (exponentially), seed ${SEED}, aiming at ${fmt(RECENT)} in the last 30 days`,
    );
    const made = await generate(store, {
      sites: 1,
      events,
      months: MONTHS,
      seed: SEED,
      end,
      growth: GROWTH,
      curve: 'exponential',
      cities: true,
      log: (line) => say(line),
    });
    siteId = (made.sites[0] as Site).id;
  } else {
    const since = Date.now() - 31 * DAY_MS;
    const busiest = await db
      .selectFrom('events')
      .select((eb) => ['site_id', eb.fn.countAll<number | string>().as('n')])
      .where('ts', '>=', since)
      .groupBy('site_id')
      .orderBy('n', 'desc')
      .executeTakeFirst();
    if (busiest === undefined) throw new Error(`${label}: the kept file has no events in the last 31 days: delete it`);
    siteId = Number(busiest.site_id);
    say(
      `reusing the ${fmt(existing)} events already stored; ${NO_REBUILD ? 'and their visits and roll-ups (--no-rebuild)' : 'the engine rebuilds every site from them'}`,
    );
  }
  const site = await findSite(db, siteId);
  if (site === undefined) throw new Error(`${label}: no site ${siteId}`);

  // The engine, from scratch: a fresh store's first fold, or a rebuild of every site of a kept one.
  const engineStart = performance.now();
  const rebuild = existing !== 0 && !NO_REBUILD;
  if (rebuild) for (const { id } of await db.selectFrom('sites').select('id').execute()) await rebuildSite(store, id);
  // In steps, for a progress line now and then: a step ends on a chunk's bound, as runEngine's own loop does.
  let folded = 0;
  let lastSaid = engineStart;
  for (;;) {
    const step = await runEngine(store, ENGINE_STEP);
    folded += step.folded;
    if (step.folded < ENGINE_STEP) break;
    if (performance.now() - lastSaid >= 30_000) {
      lastSaid = performance.now();
      say(`engine: ${fmt(folded)} events folded, ${fmt(step.behind)} to go, ${fmt(folded / ((lastSaid - engineStart) / 1000))} events/s`);
    }
  }
  const engineMs = performance.now() - engineStart;
  const blocksStart = performance.now();
  const blocks = await sumEndedBlocks(store);
  const blocksMs = performance.now() - blocksStart;
  const lag = await engineLag(store);
  const [visits, rollupRows, blockRows] = await Promise.all([
    countRows(store, 'visits'),
    countRows(store, 'rollup_rows'),
    countRows(store, 'rollup_block_rows'),
  ]);
  say(
    `engine ${existing === 0 ? 'from scratch (first fold of a fresh store)' : rebuild ? 'from scratch (rebuild of every site)' : 'NOT from scratch (--no-rebuild: only what was left)'}: runEngine folded ${fmt(folded)} events in ${seconds(engineMs)} (${fmt(folded / (engineMs / 1000))} events/s); sumEndedBlocks summed ${fmt(blocks)} blocks in ${seconds(blocksMs)}; together ${fmt(folded / ((engineMs + blocksMs) / 1000))} events/s`,
  );
  say(
    `${fmt(visits)} visits, ${fmt(rollupRows)} rollup_rows, ${fmt(blockRows)} rollup_block_rows; ${fmt(lag.events)} events left unfolded`,
  );
  if (lag.events !== 0 || lag.rebuilding.size !== 0) {
    say('ENGINE NOT CAUGHT UP');
    ok = false;
  }
  if (store.dialect === 'postgres') {
    // As autovacuum would after a load this size.
    await sql`analyze`.execute(db);
    say('analyze done');
  }

  // A signed-in owner, as the report page is served to one.
  const user =
    (await insertUser(db, { email: BENCH_EMAIL, name: 'Bench', password_hash: 'none: no login', created_at: Date.now() })) ??
    (await db.selectFrom('users').selectAll().where('email', '=', BENCH_EMAIL).executeTakeFirstOrThrow());
  await db.updateTable('sites').set({ owner_id: user.id }).execute();
  const token = newToken();
  await insertSession(db, tokenHash(token), user.id, Date.now());
  const config = loadConfig({});
  const ingest = createIngest(config.ingest, store);
  const app = createApp({ store, config, ingest, tracker: loadTracker(resolve('snippet/dist/sightline.js')), stats: new IngestStats() });
  const request = (period: Period, filters: readonly Filter[]) => {
    const query = new URLSearchParams({ period: period.name });
    for (const filter of filters) query.append('f', `${filter.dimension}:${filter.value}`);
    const url = `/site/${site.id}?${query.toString()}`;
    return () =>
      quietly(async () => {
        const res = await app.request(url, { headers: { cookie: `sightline_session=${token}` } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`);
      });
  };

  const today = localDay(Date.now(), site.timezone);
  const period30 = parsePeriod({ period: '30d' }, today);
  const period12 = parsePeriod({ period: '12mo' }, today);
  const rows: Row[] = [];
  try {
    for (const period of [period30, period12]) {
      const [from] = dayBounds(period.from, site.timezone);
      const [, to] = dayBounds(period.to, site.timezone);
      const events = await countEvents(store, site.id, from, to);
      const pageviews = await countEvents(store, site.id, from, to, true);
      say(
        `${period.name} (${period.from} to ${period.to}, ${site.timezone}), site ${site.id} (${site.domain}): ${fmt(events)} events, ${fmt(pageviews)} page views`,
      );
      if (period === period30 && events < RECENT_FLOOR) {
        say(`BELOW ${fmt(RECENT_FLOOR)} EVENTS in the last 30 days: not the site this bench is about (a kept file gone stale?)`);
        ok = false;
      }
    }

    // The unfiltered pages, and (but with --quick) each query of theirs, in turns.
    for (const [period, target] of [
      [period30, TARGET.page30],
      [period12, TARGET.page12],
    ] as const) {
      const row: Row = { label: `${period.name}, no filter`, period, filters: [], target: target * factor };
      rows.push(row);
      const pageOp: Op = { label: `report page GET /site/${site.id}?period=${period.name}`, run: request(period, []) };
      const before = previousPeriod(period);
      const detail: Op[] = QUICK
        ? []
        : [
            {
              label: 'totals: sumDays, period + previous',
              run: () => Promise.all([sumDays(db, site.id, period.from, period.to), sumDays(db, site.id, before.from, before.to)]),
            },
            { label: 'series: dailySeries', run: () => dailySeries(db, site.id, period.from, period.to) },
            { label: 'loadReport, no breakdown', run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS, []) },
            ...DIMENSIONS.map(
              (dimension): Op => ({
                label: `loadReport [${dimension}]`,
                run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS, [dimension]),
              }),
            ),
            { label: `loadReport, all ${DIMENSIONS.length} breakdowns`, run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS) },
          ];
      const timings = await measure([...detail, pageOp], ROUNDS);
      row.page = timings.at(-1);
      if (!QUICK) {
        console.log(`${`${label}, ${period.name}: query`.padEnd(50)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
        for (const t of timings) console.log(`${t.label.padEnd(50)} ${ms(t.p50).padStart(9)} ${ms(t.p95).padStart(9)}`);
      }
    }

    // The filters: every kind on its breakdown's top value over 30 days (a
    // value, not "(none)"), and a few pairs.
    const top = await loadReport(store, site, period30, [], 5);
    const value = (dimension: Filter['dimension']): Filter | undefined => {
      const found = top.breakdowns[dimension].find((row) => row.value !== '');
      return found === undefined ? undefined : { dimension, value: found.value };
    };
    const kinds = (QUICK ? QUICK_FILTERS : DIMENSIONS.filter(filterable)) as ReadonlyArray<Filter['dimension']>;
    for (const dimension of kinds) {
      const filter = value(dimension);
      if (filter === undefined) {
        say(`no ${dimension} filter: the ${dimension} breakdown has no value`);
        ok = false;
        continue;
      }
      rows.push({
        label: `30d, ${dimension} = ${clip(filter.value, 28)}`,
        period: period30,
        filters: [filter],
        target: TARGET.filter * factor,
      });
    }
    for (const pair of QUICK ? STACKED.slice(0, 1) : STACKED) {
      const filters = pair.map(value).filter((filter) => filter !== undefined);
      if (filters.length !== 2) continue;
      rows.push({
        label: `30d, ${filters.map((f) => `${f.dimension} = ${clip(f.value, 14)}`).join(' + ')}`,
        period: period30,
        filters,
        target: TARGET.stacked * factor,
      });
    }

    // The raw baselines, each checked against what loadReport says for the same query.
    const baselined = BASELINE_ROUNDS === 0 ? [] : rows.filter((row) => !(QUICK && row.period === period12));
    say(
      BASELINE_ROUNDS === 0
        ? 'no raw baselines, no checks (--baseline-rounds 0)'
        : `raw baselines (rawReport: the period's events, day by day), ${BASELINE_ROUNDS} round(s), then loadReport checked against each`,
    );
    const results = new Map<Row, Report>();
    const baselineStart = performance.now();
    const baselines = await measure(
      baselined.map(
        (row): Op => ({
          label: row.label,
          run: async () => {
            results.set(row, await rawReport(store, site, row.period, row.filters, BREAKDOWN_ROWS));
          },
        }),
      ),
      BASELINE_ROUNDS,
      false,
    );
    baselined.forEach((row, i) => {
      const timing = baselines[i];
      row.baseline = timing?.p50;
      say(`${row.label}: baseline ${timing?.error === undefined ? `${ms(timing?.p50 ?? Number.NaN)} ms` : `failed: ${timing.error}`}`);
    });
    say(`baselines took ${seconds(performance.now() - baselineStart)}`);
    for (const row of rows) {
      const want = results.get(row);
      if (want === undefined) {
        row.check = 'not checked';
        continue;
      }
      let wrong: string[];
      try {
        wrong = differences(await loadReport(store, site, row.period, row.filters, BREAKDOWN_ROWS), want);
      } catch (error) {
        row.check = 'ERROR';
        ok = false;
        say(`${row.label}: loadReport failed: ${message(error)}`);
        continue;
      }
      row.check = wrong.length === 0 ? 'equal' : 'DIFFERS';
      if (wrong.length > 0) {
        ok = false;
        say(`${row.label}: loadReport DIFFERS from rawReport: ${wrong.join('; ')}`);
      }
    }

    // The filtered pages, in turns.
    const filtered = rows.filter((row) => row.filters.length > 0);
    const ops = filtered.map((row): Op => ({ label: row.label, run: request(row.period, row.filters) }));
    const pagesStart = performance.now();
    const timings = await measure(ops, ROUNDS, true, SLOW_MS);
    filtered.forEach((row, i) => {
      row.page = timings[i];
    });
    const slow = timings.filter((t) => t.slow).length;
    say(
      `${filtered.length} filtered pages timed in ${seconds(performance.now() - pagesStart)}${slow === 0 ? '' : `; ${slow} took over ${seconds(SLOW_MS)} to warm up and were timed by that one run`}`,
    );
  } finally {
    await ingest.writer.close();
  }

  // The table.
  const width = Math.max(...rows.map((row) => row.label.length), 10);
  console.log(
    `\n${label}: report page p50 and p95 over ${ROUNDS} rounds (fewer where said), the raw baseline (rawReport, p50 of ${BASELINE_ROUNDS}), p50 targets${factor === 1 ? '' : ` (${factor}× SQLite's)`}`,
  );
  console.log(
    `${'row'.padEnd(width)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'baseline'.padStart(9)} ${'speed-up'.padStart(9)} ${'target'.padStart(7)}  ${'check'.padEnd(11)} result`,
  );
  let missed = 0;
  for (const row of rows) {
    const p50 = row.page?.p50 ?? Number.NaN;
    const onTarget = p50 <= row.target;
    if (!onTarget) missed++;
    const ratio = (row.baseline ?? Number.NaN) / p50;
    const speedup = Number.isNaN(ratio) ? '–' : `${ratio.toFixed(ratio >= 10 ? 0 : 1)}×`;
    const result = row.page?.error !== undefined ? `FAILED: ${clip(row.page.error, 60)}` : onTarget ? 'on target' : 'BELOW TARGET';
    const rounds =
      row.page === undefined
        ? ''
        : row.page.slow
          ? ' (1 run: slow)'
          : row.page.samples.length < ROUNDS
            ? ` (${row.page.samples.length} rounds)`
            : '';
    console.log(
      `${row.label.padEnd(width)} ${ms(p50).padStart(8)} ${ms(row.page?.p95 ?? Number.NaN).padStart(8)} ${ms(row.baseline ?? Number.NaN).padStart(9)} ${speedup.padStart(9)} ${`≤ ${row.target}`.padStart(7)}  ${(row.check ?? '').padEnd(11)} ${result}${rounds}`,
    );
  }
  say(`${rows.length - missed} of ${rows.length} rows on target${ok ? '' : '; checks failed (see above)'}`);
  return ok && missed === 0;
}

/**
 * A scratch schema, tried again a few times: Kysely's migrator takes a
 * kysely_migration_lock table in any schema for its own, so creating one
 * fails while tests beside us have theirs half made.
 */
async function postgresScratch(url: string): Promise<ScratchStore> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createScratchStore(url);
    } catch (error) {
      if (attempt === 5) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      console.log(
        `bench:reports: no PostgreSQL scratch schema (${String(error instanceof Error ? error.message : error)}${cause}); again in 3 s`,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

/** A scratch schema, dropped after, or the kept one that --keep-schema names. */
async function postgresStore(url: string): Promise<{ store: Store; done: () => Promise<void> }> {
  if (KEEP_SCHEMA === undefined) {
    const store = await postgresScratch(url);
    return { store, done: () => store.dispose() };
  }
  const store = openStore({ dialect: 'postgres', url }, { searchPath: KEEP_SCHEMA });
  const found = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${KEEP_SCHEMA}`.execute(store.db);
  console.log(`bench:reports: PostgreSQL schema ${KEEP_SCHEMA} (${found.rows[0]?.n === 1 ? 'exists' : 'new'}; kept)`);
  await sql`create schema if not exists ${sql.id(KEEP_SCHEMA)}`.execute(store.db);
  await migrate(store.db);
  return { store, done: () => store.close() };
}

console.log(
  `bench:reports: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ${pin()}; load average ${load()}; ${ROUNDS} rounds after a warm-up, p95 by nearest rank${QUICK ? '; --quick' : ''}`,
);
const began = performance.now();
let failed = false;
const sqliteStore = async (): Promise<{ store: Store; done: () => Promise<void> }> => {
  if (KEEP === undefined) {
    const store = await createScratchStore('sqlite');
    return { store, done: () => store.dispose() };
  }
  console.log(`bench:reports: SQLite file ${KEEP} (${existsSync(KEEP) ? 'exists' : 'new'}; kept)`);
  const store = openStore({ dialect: 'sqlite', path: KEEP });
  await migrate(store.db);
  return { store, done: () => store.close() };
};
if (ONLY !== 'postgres') {
  const { store, done } = await sqliteStore();
  try {
    if (!(await bench('SQLite', store, 1))) failed = true;
  } finally {
    await done();
  }
}
const postgresUrl = loadTestSettings().postgresUrl;
if (ONLY === 'sqlite') console.log('\nbench:reports: PostgreSQL skipped: --only sqlite');
else if (postgresUrl === undefined) console.log('\nbench:reports: PostgreSQL skipped: TEST_DATABASE_URL is not set');
else {
  console.log('');
  const { store, done } = await postgresStore(postgresUrl);
  try {
    if (!(await bench('PostgreSQL', store, POSTGRES_FACTOR))) failed = true;
  } finally {
    await done();
  }
}
console.log(
  `\nbench:reports: ${seconds(performance.now() - began)} in all; load average ${load()}; ${failed ? 'BELOW TARGET' : 'on target'}`,
);
process.exitCode = failed ? 1 : 0;
