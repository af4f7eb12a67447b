/**
 * npm run bench:reports: how fast the report reads, on a realistic store.
 * Fills a store with synthetic events (scripts/synthetic.ts: 10 million over
 * 10 sites and 13 months by default), times the roll-up job over all of
 * them, then, for the busiest site and the 30-day and 12-month periods,
 * times every report query (loadReport with each single breakdown, the
 * totals, the series), the whole report page as a signed-in owner gets it
 * (createApp, GET /site/ID?period=…), and naive queries over the raw events
 * table for a baseline: p50 and p95 over several rounds, after a warm-up,
 * every query once per round in turns so that the machine's drift hits
 * them all alike. The process is pinned to core 0 (taskset) when it can be.
 * SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. Exits
 * non-zero below the targets (on SQLite): the report page's p50 ≤ 100 ms
 * for 30 days and ≤ 300 ms for 12 months, and ≥ 20× faster than the raw
 * baseline.
 *
 *   npm run bench:reports -- --events 1000000 --rounds 5 --keep /tmp/reports.db
 *
 * --sites, --months and --seed shape the data (10, 13, 1 by default).
 * --keep PATH keeps the SQLite file and reuses it on the next run (its
 * roll-ups are made again, and timed, every run); generating 10 million
 * events takes minutes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { createIngest } from '../collector/app.js';
import { loadConfig, loadTestSettings } from '../collector/config.js';
import { insertSession, insertUser } from '../collector/db/accounts.js';
import { migrate, openStore, type Store } from '../collector/db/connect.js';
import { dailySeries, redoSiteRollups, sumDays } from '../collector/db/rollups.js';
import type { Site } from '../collector/db/schema.js';
import { createScratchStore, type ScratchStore } from '../collector/db/scratch.js';
import { findSite } from '../collector/db/sites.js';
import { IngestStats } from '../collector/stats.js';
import { loadTracker } from '../collector/tracker.js';
import { createApp } from '../dashboard/app.js';
import { newToken, tokenHash } from '../dashboard/auth.js';
import { DIMENSIONS } from '../dashboard/reports/aggregate.js';
import { loadReport, type Period, parsePeriod, previousPeriod } from '../dashboard/reports/report.js';
import { refreshRollups } from '../dashboard/reports/rollup-job.js';
import { dayBounds, localDay } from '../dashboard/reports/zone.js';
import { generate } from './synthetic.js';

const TASKSET = '/usr/bin/taskset';
const BENCH_EMAIL = 'bench@example.com';
const BREAKDOWN_ROWS = 10;
const TARGETS: Record<string, number> = { '30d': 100, '12mo': 300 };
const TARGET_SPEEDUP = 20;
// One site with most of the traffic, which quadrupled over the 13 months:
// with 10 million events that puts about a million in its last 30 days.
const BUSIEST_SHARE = 0.8;
const GROWTH = 3;

const at = (name: string) => process.argv.indexOf(`--${name}`);
const argument = (name: string, fallback: number) => {
  const i = at(name);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
};
const EVENTS = argument('events', 10_000_000);
const ROUNDS = argument('rounds', 7);
const FILTERED_ROUNDS = Math.min(ROUNDS, 3);
const SITES = argument('sites', 10);
const MONTHS = argument('months', 13);
const SEED = argument('seed', 1);
const KEEP = at('keep') === -1 ? undefined : process.argv[at('keep') + 1];
if (KEEP !== undefined && (KEEP === '' || KEEP.startsWith('--'))) throw new Error('--keep takes a file path');

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
/** Nearest-rank percentile. */
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

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
  kind: 'report' | 'page' | 'raw';
  run: () => Promise<unknown>;
}

interface Timing {
  label: string;
  kind: Op['kind'];
  p50: number;
  p95: number;
}

/** One warm-up, then `rounds` rounds of every op once, in turns. */
async function measure(ops: readonly Op[], rounds = ROUNDS): Promise<Timing[]> {
  const samples = ops.map(() => [] as number[]);
  for (const op of ops) await op.run();
  for (let round = 0; round < rounds; round++) {
    for (const [i, op] of ops.entries()) {
      const started = performance.now();
      await op.run();
      samples[i]?.push(performance.now() - started);
    }
  }
  return ops.map((op, i) => ({
    label: op.label,
    kind: op.kind,
    p50: percentile(samples[i] ?? [], 50),
    p95: percentile(samples[i] ?? [], 95),
  }));
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

async function count(store: Store, siteId: number, from: number, to: number, pageviews = false): Promise<number> {
  let query = store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to);
  if (pageviews) query = query.where('name', '=', 'pageview');
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** Naive queries straight over the raw events, with the events_site_ts index. */
function rawOps(store: Store, siteId: number, from: number, to: number): Op[] {
  const { db } = store;
  const range = () => db.selectFrom('events').where('site_id', '=', siteId).where('ts', '>=', from).where('ts', '<', to);
  const top = (column: 'url' | 'source' | 'country', pageviewsOnly: boolean) => {
    let query = range()
      .select((eb) => [column, eb.fn.count('visitor_id').distinct().as('visitors')])
      .groupBy(column)
      .orderBy('visitors', 'desc')
      .limit(BREAKDOWN_ROWS);
    if (pageviewsOnly) query = query.where('name', '=', 'pageview');
    return query.execute();
  };
  return [
    {
      label: 'raw: visitors, count(distinct visitor_id)',
      kind: 'raw',
      run: () =>
        range()
          .select((eb) => eb.fn.count('visitor_id').distinct().as('n'))
          .executeTakeFirstOrThrow(),
    },
    { label: 'raw: page views, count(*)', kind: 'raw', run: () => count(store, siteId, from, to, true) },
    { label: 'raw: top pages (url) by visitors', kind: 'raw', run: () => top('url', true) },
    { label: 'raw: top sources by visitors', kind: 'raw', run: () => top('source', false) },
    { label: 'raw: top countries by visitors', kind: 'raw', run: () => top('country', false) },
  ];
}

function reportOps(store: Store, site: Site, period: Period, request: () => Promise<Response>, periodName: string): Op[] {
  const before = previousPeriod(period);
  return [
    {
      label: 'totals: sumDays, period + previous',
      kind: 'report',
      run: () => Promise.all([sumDays(store.db, site.id, period.from, period.to), sumDays(store.db, site.id, before.from, before.to)]),
    },
    { label: 'series: dailySeries', kind: 'report', run: () => dailySeries(store.db, site.id, period.from, period.to) },
    { label: 'loadReport, no breakdown', kind: 'report', run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS, []) },
    ...DIMENSIONS.map(
      (dimension): Op => ({
        label: `loadReport [${dimension}]`,
        kind: 'report',
        run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS, [dimension]),
      }),
    ),
    {
      label: `loadReport, all ${DIMENSIONS.length} breakdowns`,
      kind: 'report',
      run: () => loadReport(store, site, period, [], BREAKDOWN_ROWS),
    },
    {
      label: `report page GET /site/${site.id}?period=${periodName}`,
      kind: 'page',
      run: () =>
        quietly(async () => {
          const res = await request();
          const body = await res.text();
          if (res.status !== 200) throw new Error(`report page answered ${res.status}: ${body.slice(0, 300)}`);
        }),
    },
  ];
}

/** Fills (or reuses) the store, rolls it up, and measures; false when a target is missed. */
async function bench(label: string, store: Store, targets: boolean): Promise<boolean> {
  const { db } = store;
  const existing = Number(
    (
      await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (existing === 0) {
    console.log(`${label}: generating ${fmt(EVENTS)} events, ${SITES} sites, ${MONTHS} months, seed ${SEED}`);
    await generate(store, { sites: SITES, events: EVENTS, months: MONTHS, seed: SEED, busiestShare: BUSIEST_SHARE, growth: GROWTH });
  } else {
    if (existing !== EVENTS)
      throw new Error(`${label}: the kept file has ${fmt(existing)} events, not ${fmt(EVENTS)}: delete it or pass --events ${existing}`);
    console.log(`${label}: reusing ${fmt(existing)} events already stored; their roll-ups are made again`);
    for (const { id } of await db.selectFrom('sites').select('id').execute()) await redoSiteRollups(db, id);
  }
  const marked = Number(
    (
      await db
        .selectFrom('rollup_dirty')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const rollStart = performance.now();
  const left = await refreshRollups(store);
  const rollSeconds = (performance.now() - rollStart) / 1000;
  const rollupRows = Number(
    (
      await db
        .selectFrom('rollup_rows')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  console.log(
    `${label}: refreshRollups: ${fmt(marked)} marked (site, UTC day)s of ${fmt(EVENTS)} events in ${rollSeconds.toFixed(1)} s (${fmt(Math.round(EVENTS / rollSeconds))} events/s); ${fmt(rollupRows)} rollup_rows; ${left} left marked`,
  );
  if (store.dialect === 'postgres') {
    // As autovacuum would after a load this size.
    await sql`analyze`.execute(db);
    console.log(`${label}: analyze done`);
  }

  const perSite = await db
    .selectFrom('events')
    .select((eb) => ['site_id', eb.fn.countAll<number | string>().as('n')])
    .groupBy('site_id')
    .orderBy('n', 'desc')
    .execute();
  const top = perSite[0];
  const site = top === undefined ? undefined : await findSite(db, Number(top.site_id));
  if (top === undefined || site === undefined) throw new Error(`${label}: no events`);
  const share = Number(top.n) / (existing || EVENTS);
  console.log(
    `${label}: busiest site ${site.id} (${site.domain}, ${site.timezone}): ${fmt(Number(top.n))} events of ${fmt(existing || EVENTS)} (${(100 * share).toFixed(1)}%)`,
  );
  if (SITES > 1 && Math.abs(share - BUSIEST_SHARE) > 0.02) {
    console.log(`${label}: WARNING: the busiest site's share is not ${100 * BUSIEST_SHARE}%: a kept file made with other options?`);
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

  let ok = true;
  try {
    for (const name of ['30d', '12mo'] as const) {
      const today = localDay(Date.now(), site.timezone);
      const period = parsePeriod({ period: name }, today);
      const [from] = dayBounds(period.from, site.timezone);
      const [, to] = dayBounds(period.to, site.timezone);
      const events = await count(store, site.id, from, to);
      const pageviews = await count(store, site.id, from, to, true);
      const rollupRowsInPeriod = await db
        .selectFrom('rollup_rows')
        .select((eb) => ['dimension', eb.fn.countAll<number | string>().as('n')])
        .where('site_id', '=', site.id)
        .where('day', '>=', period.from)
        .where('day', '<=', period.to)
        .groupBy('dimension')
        .orderBy('n', 'desc')
        .execute();
      const totalRows = rollupRowsInPeriod.reduce((sum, row) => sum + Number(row.n), 0);
      console.log(
        `\n${label}, ${name} (${period.from} to ${period.to}, ${site.timezone}), site ${site.id}: ${fmt(events)} events, ${fmt(pageviews)} page views in the period; ${fmt(totalRows)} rollup_rows (${rollupRowsInPeriod
          .slice(0, 4)
          .map((row) => `${row.dimension} ${fmt(Number(row.n))}`)
          .join(', ')}, …)`,
      );
      const check = await loadReport(store, site, period, [], BREAKDOWN_ROWS, []);
      console.log(
        `${label}, ${name}: check: roll-up page views ${fmt(check.totals.pageviews)} against raw ${fmt(pageviews)}: ${check.totals.pageviews === pageviews ? 'equal' : 'NOT EQUAL'}`,
      );
      if (check.totals.pageviews !== pageviews) ok = false;

      const request = async () => app.request(`/site/${site.id}?period=${name}`, { headers: { cookie: `sightline_session=${token}` } });
      const timings = await measure([...reportOps(store, site, period, request, name), ...rawOps(store, site.id, from, to)]);
      console.log(`${'query'.padEnd(46)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
      for (const t of timings) console.log(`${t.label.padEnd(46)} ${ms(t.p50).padStart(9)} ${ms(t.p95).padStart(9)}`);
      const page = timings.find((t) => t.kind === 'page');
      const all = timings.find((t) => t.label.startsWith('loadReport, all'));
      const raw = timings.filter((t) => t.kind === 'raw').reduce((sum, t) => sum + t.p50, 0);
      if (page === undefined || all === undefined) throw new Error('no page timing');
      const target = TARGETS[name] ?? 0;
      const speedup = raw / page.p50;
      console.log(`${'raw baseline: the 5 raw queries, sum of p50s'.padEnd(46)} ${ms(raw).padStart(9)}`);
      console.log(
        `${label}, ${name}: report page p50 ${ms(page.p50)} ms (target ≤ ${target} ms${targets ? '' : ', SQLite only'}): ${page.p50 <= target ? 'on target' : 'ABOVE TARGET'}`,
      );
      console.log(
        `${label}, ${name}: speed-up: raw baseline ${ms(raw)} ms / report page p50 ${ms(page.p50)} ms = ${speedup.toFixed(1)}× (target ≥ ${TARGET_SPEEDUP}×): ${speedup >= TARGET_SPEEDUP ? 'on target' : 'BELOW TARGET'}; against loadReport with all breakdowns (${ms(all.p50)} ms): ${(raw / all.p50).toFixed(1)}×`,
      );
      if (targets && (page.p50 > target || speedup < TARGET_SPEEDUP)) ok = false;

      // Filtered pages read the events of the period, not the roll-ups:
      // timed over 30 days, with fewer rounds, and reported beside the target.
      if (name !== '30d') continue;
      const top = await loadReport(store, site, period, [], 1, ['country', 'page', 'source']);
      const filters = (['country', 'page', 'source'] as const).flatMap((dimension) => {
        const value = top.breakdowns[dimension][0]?.value;
        return value === undefined ? [] : [`${dimension}:${value}`];
      });
      const filtered = await measure(
        filters.map(
          (filter): Op => ({
            label: `report page, filtered by ${filter}`,
            kind: 'page',
            run: () =>
              quietly(async () => {
                const res = await app.request(`/site/${site.id}?period=${name}&f=${encodeURIComponent(filter)}`, {
                  headers: { cookie: `sightline_session=${token}` },
                });
                const body = await res.text();
                if (res.status !== 200) throw new Error(`filtered page answered ${res.status}: ${body.slice(0, 300)}`);
              }),
          }),
        ),
        FILTERED_ROUNDS,
      );
      for (const t of filtered) {
        console.log(
          `${label}, ${name}: ${t.label}: p50 ${ms(t.p50)} ms, p95 ${ms(t.p95)} ms (${FILTERED_ROUNDS} rounds; ${t.p50 <= target ? 'within' : 'over'} the ${target} ms of an unfiltered page)`,
        );
      }
    }
  } finally {
    await ingest.writer.close();
  }
  return ok;
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

console.log(
  `bench:reports: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ${pin()}; load average ${load()}; ${ROUNDS} rounds after a warm-up, p95 by nearest rank`,
);
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
{
  const { store, done } = await sqliteStore();
  try {
    if (!(await bench('SQLite', store, true))) failed = true;
  } finally {
    await done();
  }
}
const postgresUrl = loadTestSettings().postgresUrl;
if (postgresUrl === undefined) console.log('\nbench:reports: PostgreSQL skipped: TEST_DATABASE_URL is not set');
else {
  console.log('');
  const store = await postgresScratch(postgresUrl);
  try {
    if (!(await bench('PostgreSQL', store, false))) failed = true;
  } finally {
    await store.dispose();
  }
}
console.log(`\nbench:reports: load average ${load()}; ${failed ? 'below target' : 'on target'}`);
process.exitCode = failed ? 1 : 0;
