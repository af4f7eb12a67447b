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
import { availableParallelism, cpus } from 'node:os';
import { sql } from 'kysely';
import { loadTestSettings } from '../core/config.js';
import { migrate, openStore, type Store } from '../core/db/connect.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { findSite } from '../core/db/sites.js';
import { load } from './bench-common.js';
import { checkBaselines } from './bench-reports/check.js';
import { fillStore, foldEvents } from './bench-reports/data.js';
import { BASELINE_ROUNDS, KEEP, KEEP_SCHEMA, ONLY, POSTGRES_FACTOR, QUICK, ROUNDS, seconds, TARGET } from './bench-reports/options.js';
import { countPeriods, filterRows, ownerPages, type Row, reportPeriods, timeFiltered, timeUnfiltered } from './bench-reports/pages.js';
import { printTable } from './bench-reports/table.js';

const TASKSET = '/usr/bin/taskset';

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

/** Fills (or reuses) the store, runs the engine, and measures; false when a target or a check is missed. */
async function bench(label: string, store: Store, factor: number): Promise<boolean> {
  const say = (line: string) => console.log(`${label}: ${line}`);
  const { siteId, existing } = await fillStore(label, store, say);
  const site = await findSite(store.db, siteId);
  if (site === undefined) throw new Error(`${label}: no site ${siteId}`);
  let ok = await foldEvents(store, existing, say);

  const owner = await ownerPages(store, site);
  const { period30, period12 } = reportPeriods(site);
  const rows: Row[] = [];
  try {
    if (!(await countPeriods(store, site, [period30, period12], say))) ok = false;
    const unfiltered = [
      [period30, TARGET.page30],
      [period12, TARGET.page12],
    ] as const;
    await timeUnfiltered(label, store, site, unfiltered, owner.request, factor, rows);
    if (!(await filterRows(store, site, period30, factor, rows, say))) ok = false;
    if (!(await checkBaselines(store, site, rows, period12, say))) ok = false;
    await timeFiltered(rows, owner.request, say);
  } finally {
    await owner.close();
  }

  const missed = printTable(label, rows, factor, BASELINE_ROUNDS);
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
