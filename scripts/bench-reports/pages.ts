// bench:reports' rows: the report page as a signed-in owner gets it, over
// 30 days and 12 months unfiltered (with each of its queries), and over 30
// days with every kind of filter and a few pairs.
import { resolve } from 'node:path';
import { createIngest } from '../../collector/app.js';
import { loadTracker } from '../../collector/tracker.js';
import { loadConfig } from '../../core/config.js';
import { insertSession, insertUser } from '../../core/db/accounts.js';
import type { Store } from '../../core/db/connect.js';
import { dailySeries, sumDays } from '../../core/db/rollup-reads.js';
import type { Site } from '../../core/db/schema.js';
import { IngestStats } from '../../core/stats.js';
import { newToken, tokenHash } from '../../dashboard/auth.js';
import { DIMENSIONS, type Filter } from '../../dashboard/reports/dimensions.js';
import { loadReport, type Period, parsePeriod, previousPeriod } from '../../dashboard/reports/report.js';
import { filterable } from '../../dashboard/reports/state.js';
import { dayBounds, localDay } from '../../dashboard/reports/zone.js';
import { createApp } from '../../server/app.js';
import { countEvents } from './data.js';
import { measure, type Op, quietly, type Timing } from './measure.js';
import {
  BENCH_EMAIL,
  BREAKDOWN_ROWS,
  clip,
  fmt,
  ms,
  QUICK,
  QUICK_FILTERS,
  RECENT_FLOOR,
  ROUNDS,
  SLOW_MS,
  STACKED,
  seconds,
  TARGET,
} from './options.js';

type Say = (line: string) => void;

/** One line of the table: a report page, its raw baseline, and its target. */
export interface Row {
  label: string;
  period: Period;
  filters: Filter[];
  target: number;
  page?: Timing;
  baseline?: number;
  check?: 'equal' | 'DIFFERS' | 'ERROR' | 'not checked';
}

/** A request for the report page of a period with filters, as an op to time. */
export type PageRequest = (period: Period, filters: readonly Filter[]) => () => Promise<void>;

/** The server's app with a signed-in owner of every site, as the report page is served to one. */
export async function ownerPages(store: Store, site: Site): Promise<{ request: PageRequest; close: () => Promise<void> }> {
  const { db } = store;
  const user =
    (await insertUser(db, { email: BENCH_EMAIL, name: 'Bench', password_hash: 'none: no login', created_at: Date.now() })) ??
    (await db.selectFrom('users').selectAll().where('email', '=', BENCH_EMAIL).executeTakeFirstOrThrow());
  await db.updateTable('sites').set({ owner_id: user.id }).execute();
  const token = newToken();
  await insertSession(db, tokenHash(token), user.id, Date.now());
  const config = loadConfig({});
  const ingest = createIngest(config.ingest, store);
  const app = createApp({ store, config, ingest, tracker: loadTracker(resolve('snippet/dist/sightline.js')), stats: new IngestStats() });
  const request: PageRequest = (period, filters) => {
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
  return { request, close: () => ingest.writer.close() };
}

/** The last 30 days and the last 12 months, in the site's time zone. */
export function reportPeriods(site: Site): { period30: Period; period12: Period } {
  const today = localDay(Date.now(), site.timezone);
  return { period30: parsePeriod({ period: '30d' }, today), period12: parsePeriod({ period: '12mo' }, today) };
}

/** Says how many events each period holds; false when the last 30 days hold too few. */
export async function countPeriods(store: Store, site: Site, periods: readonly Period[], say: Say): Promise<boolean> {
  let ok = true;
  for (const [i, period] of periods.entries()) {
    const [from] = dayBounds(period.from, site.timezone);
    const [, to] = dayBounds(period.to, site.timezone);
    const events = await countEvents(store, site.id, from, to);
    const pageviews = await countEvents(store, site.id, from, to, true);
    say(
      `${period.name} (${period.from} to ${period.to}, ${site.timezone}), site ${site.id} (${site.domain}): ${fmt(events)} events, ${fmt(pageviews)} page views`,
    );
    if (i === 0 && events < RECENT_FLOOR) {
      say(`BELOW ${fmt(RECENT_FLOOR)} EVENTS in the last 30 days: not the site this bench is about (a kept file gone stale?)`);
      ok = false;
    }
  }
  return ok;
}

/** The unfiltered pages, and (but with --quick) each query of theirs, in turns, as rows already timed. */
export async function timeUnfiltered(
  label: string,
  store: Store,
  site: Site,
  pages: ReadonlyArray<readonly [Period, number]>,
  request: PageRequest,
  factor: number,
  rows: Row[],
): Promise<void> {
  for (const [period, target] of pages) {
    const row: Row = { label: `${period.name}, no filter`, period, filters: [], target: target * factor };
    rows.push(row);
    const pageOp: Op = { label: `report page GET /site/${site.id}?period=${period.name}`, run: request(period, []) };
    const timings = await measure([...(QUICK ? [] : queryOps(store, site, period)), pageOp], ROUNDS);
    row.page = timings.at(-1);
    if (!QUICK) {
      console.log(`${`${label}, ${period.name}: query`.padEnd(50)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
      for (const t of timings) console.log(`${t.label.padEnd(50)} ${ms(t.p50).padStart(9)} ${ms(t.p95).padStart(9)}`);
    }
  }
}

/** The queries an unfiltered report page makes, one op each. */
function queryOps(store: Store, site: Site, period: Period): Op[] {
  const { db } = store;
  const before = previousPeriod(period);
  return [
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
}

/**
 * The filtered rows: every kind on its breakdown's top value over 30 days
 * (a value, not "(none)"), and a few pairs. False when a kind has no value.
 */
export async function filterRows(store: Store, site: Site, period30: Period, factor: number, rows: Row[], say: Say): Promise<boolean> {
  let ok = true;
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
  return ok;
}

/** The filtered pages, in turns; a page slow to warm up is timed by that one run. */
export async function timeFiltered(rows: readonly Row[], request: PageRequest, say: Say): Promise<void> {
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
}
