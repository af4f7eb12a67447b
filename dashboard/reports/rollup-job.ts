/**
 * The roll-up job: recomputes the local days whose events changed, from
 * the raw events, with the same code a filtered report runs (aggregate.ts).
 * The dashboard process runs it every few seconds, and a report page runs
 * it for its own site first, so a report is at most that far behind. Run
 * one dashboard process per database: two would each roll up, and could
 * store a day's older sums after the newer ones.
 */
import type { Store } from '../../collector/db/connect.js';
import {
  clearDirtyDay,
  type DirtyDay,
  listDirtyDays,
  readReportEvents,
  replaceBlock,
  replaceDay,
  unsummedBlocks,
} from '../../collector/db/rollups.js';
import { findSite, updateSiteTimezone } from '../../collector/db/sites.js';
import { logError } from '../../collector/log.js';
import { addDays, DAY_MS } from '../../collector/time.js';
import { sumDay } from './aggregate.js';
import { dayBounds, localDay } from './zone.js';

// Days rolled up per turn of the lock: a report page waits for one turn at most.
const BATCH = 20;
/** The most marked days one background run takes on; the next run goes on. */
const MOST_PER_RUN = 2000;

/**
 * Rolls up what changed, at most `maxDays` UTC days of changes (all when
 * undefined), only of one site when `siteId` is given. Returns how many
 * marked days remain for that scope.
 */
export async function refreshRollups(store: Store, scope: { siteId?: number; maxDays?: number } = {}): Promise<number> {
  let done = 0;
  let left: number | undefined;
  for (;;) {
    const limit = Math.min(BATCH, (scope.maxDays ?? Number.POSITIVE_INFINITY) - done);
    if (limit <= 0) break;
    const dirty = await listDirtyDays(store.db, limit, scope.siteId);
    if (dirty.length === 0) {
      left = 0;
      break;
    }
    await locked(store, () => rollUp(store, dirty));
    done += dirty.length;
    if (dirty.length < limit) break;
  }
  // Block sums only make longer periods faster, never different: the job
  // in the background makes them, not a report page that waits for it.
  // New ones are due when days were rolled up, or when a day may have ended.
  const hour = new Date().toISOString().slice(0, 13);
  if (done > 0) blocksDue.delete(store);
  if (scope.siteId === undefined && blocksDue.get(store) !== hour) {
    await sumEndedBlocks(store);
    blocksDue.set(store, hour);
  }
  return left ?? (await listDirtyDays(store.db, BATCH, scope.siteId)).length;
}

const turns = new WeakMap<Store, Promise<unknown>>();
/** The UTC hour of the last block summing with no day rolled up since. */
const blocksDue = new WeakMap<Store, string>();

/**
 * Sets a site's time zone, in turn with the roll-ups: a roll-up of the old
 * zone's days or blocks cannot then land after the new zone's were cleared.
 */
export function changeTimezone(store: Store, siteId: number, timezone: string): Promise<void> {
  return locked(store, () => updateSiteTimezone(store.db, siteId, timezone));
}

/**
 * One roll-up at a time per store: two that read a day's events at
 * different moments could otherwise store the older sums last.
 */
function locked<T>(store: Store, work: () => Promise<T>): Promise<T> {
  const turn = (turns.get(store) ?? Promise.resolve()).catch(() => undefined).then(work);
  turns.set(store, turn);
  return turn;
}

async function rollUp(store: Store, dirty: readonly DirtyDay[]): Promise<void> {
  // A UTC day overlaps one or two local days of the site.
  const localDays = new Map<string, { siteId: number; day: string; zone: string }>();
  const zones = new Map<number, string | undefined>();
  for (const mark of dirty) {
    if (!zones.has(mark.site_id)) zones.set(mark.site_id, (await findSite(store.db, mark.site_id))?.timezone);
    const zone = zones.get(mark.site_id);
    if (zone === undefined) continue;
    const start = Date.parse(`${mark.day}T00:00:00Z`);
    for (const day of new Set([localDay(start, zone), localDay(start + DAY_MS - 1, zone)])) {
      localDays.set(`${mark.site_id} ${day}`, { siteId: mark.site_id, day, zone });
    }
  }
  const rezoned = new Set<number>();
  for (const { siteId, day, zone } of localDays.values()) {
    const [from, to] = dayBounds(day, zone);
    const events = await readReportEvents(store.db, siteId, from, to);
    const sums = sumDay(events, from);
    // The zone changed meanwhile: these days are cut wrong, and all were marked again.
    if (rezoned.has(siteId) || (await findSite(store.db, siteId))?.timezone !== zone) {
      rezoned.add(siteId);
      continue;
    }
    await replaceDay(store, siteId, day, sums);
  }
  for (const mark of dirty) if (!rezoned.has(mark.site_id)) await clearDirtyDay(store.db, mark);
}

/**
 * Sums every block of days that has ended in its site's time zone and has
 * no sums yet, one block per turn of the lock: a report page waits for one
 * block at most. Blocks from the day before the site's oldest marked day
 * on wait for its roll-up, so that a store catching up is not summed
 * again after every run.
 */
async function sumEndedBlocks(store: Store): Promise<void> {
  const sites = await store.db.selectFrom('sites').select(['id', 'timezone']).execute();
  const marked = await store.db
    .selectFrom('rollup_dirty')
    .select((eb) => ['site_id', eb.fn.min('day').as('day')])
    .groupBy('site_id')
    .execute();
  const oldestMarked = new Map(marked.map((row) => [Number(row.site_id), String(row.day)]));
  const endBefore = new Map(
    sites.map((site) => {
      const today = localDay(Date.now(), site.timezone);
      const dirty = oldestMarked.get(site.id);
      // A UTC day overlaps the local day before it.
      return [site.id, dirty !== undefined && addDays(dirty, -1) < today ? addDays(dirty, -1) : today];
    }),
  );
  for (const { siteId, block } of await unsummedBlocks(store.db, endBefore)) {
    await locked(store, () => replaceBlock(store, siteId, block));
  }
}

/** Runs the job every `everyMs`; returns the function that stops it. */
export function startRollups(store: Store, everyMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshRollups(store, { maxDays: MOST_PER_RUN })
      .catch((error) => logError('could not roll up report days', error))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
