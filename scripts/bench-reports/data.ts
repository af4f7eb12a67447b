// bench:reports' data: one busy site's synthetic events (or a kept file's),
// folded by the analytics engine from scratch, timed.
import { sql } from 'kysely';
import type { Store } from '../../core/db/connect.js';
import type { Site } from '../../core/db/schema.js';
import { DAY_MS } from '../../core/time.js';
import { engineLag, rebuildSite, runEngine } from '../../dashboard/reports/engine.js';
import { sumEndedBlocks } from '../../dashboard/reports/rollup-job.js';
import { generate } from '../synthetic.js';
import { ENGINE_STEP, fmt, GROWTH, MONTHS, NO_REBUILD, RECENT, SEED, SPIKES, seconds } from './options.js';

type Say = (line: string) => void;

export async function countRows(store: Store, table: 'events' | 'visits' | 'rollup_rows' | 'rollup_block_rows'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countEvents(store: Store, siteId: number, from: number, to: number, pageviews = false): Promise<number> {
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

/** The events: generated into an empty store, or those of a kept file. Returns the site to time and the events found first. */
export async function fillStore(label: string, store: Store, say: Say): Promise<{ siteId: number; existing: number }> {
  const existing = await countRows(store, 'events');
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
    return { siteId: (made.sites[0] as Site).id, existing };
  }
  const since = Date.now() - 31 * DAY_MS;
  const busiest = await store.db
    .selectFrom('events')
    .select((eb) => ['site_id', eb.fn.countAll<number | string>().as('n')])
    .where('ts', '>=', since)
    .groupBy('site_id')
    .orderBy('n', 'desc')
    .executeTakeFirst();
  if (busiest === undefined) throw new Error(`${label}: the kept file has no events in the last 31 days: delete it`);
  say(
    `reusing the ${fmt(existing)} events already stored; ${NO_REBUILD ? 'and their visits and roll-ups (--no-rebuild)' : 'the engine rebuilds every site from them'}`,
  );
  return { siteId: Number(busiest.site_id), existing };
}

/**
 * The engine, from scratch: a fresh store's first fold, or a rebuild of
 * every site of a kept one; timed, and its tables counted. False when it
 * did not catch up.
 */
export async function foldEvents(store: Store, existing: number, say: Say): Promise<boolean> {
  const { db } = store;
  let ok = true;
  const engineStart = performance.now();
  const rebuild = existing !== 0 && !NO_REBUILD;
  if (rebuild) for (const { id } of await db.selectFrom('sites').select('id').execute()) await rebuildSite(store, id);
  const folded = await foldInSteps(store, engineStart, say);
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
  return ok;
}

/**
 * runEngine in steps, for a progress line now and then: a step ends on a
 * chunk's bound, as runEngine's own loop does. Returns the events folded.
 */
async function foldInSteps(store: Store, engineStart: number, say: Say): Promise<number> {
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
  return folded;
}
