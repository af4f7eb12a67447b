/**
 * The analytics engine: folds the events committed since its durable
 * position into the visits table and the roll-ups, a chunk at a time. The
 * work of a pass grows with the events it folds, not with the day or the
 * period: each event's visitor-day is loaded (its few stored visits), the
 * new events are folded into it (aggregate.ts, the definitions), and what
 * that visitor's share of the day's sums became, less what it was, is
 * added to the roll-ups. A chunk's writes and its new position commit in
 * one transaction that first checks the position it started from, so a
 * crash or a second engine can neither skip nor double-count an event.
 */
import { sql } from 'kysely';
import type { Store } from '../../collector/db/connect.js';
import { committedHorizon } from '../../collector/db/horizon.js';
import { blockKey, blocksOf, type DaySums, type ReportEvent } from '../../collector/db/rollups.js';
import {
  type EngineEvent,
  earlierEngagement,
  engineState,
  inTransaction,
  loadVisits,
  readEventsAfter,
  readVisitorDay,
  type StoredVisit,
  VISIT_COLUMNS,
  type VisitState,
  visitorNumber,
  visitRow,
  type WriteSession,
} from '../../collector/db/visits.js';
import { ENGAGEMENT } from '../../collector/parse.js';
import { bounced, foldVisits, visitorKey, visitorShare } from './aggregate.js';
import { dayBounds, localDay } from './zone.js';

/** Events folded per transaction: bounds the memory and the time a chunk holds SQLite's write lock. */
export const CHUNK_EVENTS = 2000;

/** Another engine, or a reset of a site, moved the state on: the chunk is dropped and done again. */
export class EngineConflict extends Error {}

/** What one call of `runEngine` did. */
export interface EngineProgress {
  /** Events folded. */
  folded: number;
  /** Events committed but not folded yet, when it stopped (an estimate by ids). */
  behind: number;
}

interface VisitorDay {
  siteId: number;
  day: string;
  dayStart: number;
  dayEnd: number;
  visitor: string;
  events: ReportEvent[];
}

interface Delta {
  days: Map<string, { site_id: number; day: string; sums: number[] }>;
  hours: Map<string, { site_id: number; day: string; hour: number; sums: number[] }>;
  rows: Map<string, { site_id: number; dimension: string; day: string; value: string; sums: number[] }>;
  /** `site day` pairs whose sums changed: the summed blocks that hold them no longer hold. */
  touched: Map<string, { siteId: number; day: string }>;
}

/** A visit's child rows, as comparable values. */
interface Children {
  pages: Map<string, string>;
  named: Map<string, number>;
  props: Map<string, number>;
  hours: Map<number, number>;
}

function childrenOf(visit: VisitState): Children {
  return {
    pages: new Map([...visit.pages].map(([page, seen]) => [page, `${seen.views} ${seen.engaged}`])),
    named: new Map(visit.named),
    props: new Map(visit.props),
    hours: new Map(visit.hours),
  };
}

interface Plan {
  remove: number[];
  /** Visits that new events extended, with their child rows before. */
  update: Array<{ visit: StoredVisit; before: Children }>;
  insert: Array<{ siteId: number; day: string; visit: VisitState }>;
  delta: Delta;
}

/**
 * Folds committed events until none are left or `budget` events were
 * folded, `chunk` events a transaction, yielding between chunks.
 */
export async function runEngine(store: Store, budget = Number.POSITIVE_INFINITY, chunk = CHUNK_EVENTS): Promise<EngineProgress> {
  let folded = 0;
  for (;;) {
    const step = await foldChunk(store, chunk);
    folded += step.folded;
    if (step.done || folded >= budget) return { folded, behind: step.behind };
    // Let other work on this thread (a lease renewal, a stop) run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** One chunk: a site's reset, a rebuilding site's events, or the next events of all the others. */
async function foldChunk(store: Store, chunk: number): Promise<{ folded: number; done: boolean; behind: number }> {
  const { db } = store;
  const state = await engineState(db);
  const rebuilds = await db.selectFrom('engine_rebuilds').select(['site_id', 'position']).orderBy('site_id').execute();
  const reset = rebuilds.find((r) => Number(r.position) < 0);
  if (reset !== undefined) {
    await resetSite(store, Number(reset.site_id), state.version);
    return { folded: 0, done: false, behind: 1 };
  }
  const zones = new Map((await db.selectFrom('sites').select(['id', 'timezone']).execute()).map((s) => [Number(s.id), s.timezone]));
  const rebuilding = new Map(rebuilds.map((r) => [Number(r.site_id), Number(r.position)]));

  const horizon = await committedHorizon(db);
  if (state.position < horizon) {
    const events = await readEventsAfter(db, state.position, horizon, chunk);
    const end = events.length === chunk ? (events.at(-1) as EngineEvent).id : horizon;
    // A rebuilding site's events are folded by its own position, below.
    const mine = events.filter((e) => zones.has(e.site_id) && !rebuilding.has(e.site_id));
    const plan = await planChunk(store, mine, zones, end);
    await commit(store, plan, async (session) => {
      const moved = await session.run('update engine_state set position = ? where name = ? and position = ? and version = ?', [
        end,
        'events',
        state.position,
        state.version,
      ]);
      if (moved.changes !== 1) throw new EngineConflict('the engine state moved meanwhile');
    });
    return { folded: mine.length, done: false, behind: horizon - end };
  }
  for (const [siteId, position] of rebuilding) {
    const events = await readEventsAfter(db, position, state.position, chunk, siteId);
    const done = events.length < chunk;
    const end = done ? state.position : (events.at(-1) as EngineEvent).id;
    const plan = await planChunk(store, events, zones, end);
    await commit(store, plan, async (session) => {
      await checkVersion(session, state.version);
      const moved = done
        ? await session.run('delete from engine_rebuilds where site_id = ? and position = ?', [siteId, position])
        : await session.run('update engine_rebuilds set position = ? where site_id = ? and position = ?', [end, siteId, position]);
      if (moved.changes !== 1) throw new EngineConflict('the rebuild moved meanwhile');
    });
    return { folded: events.length, done: false, behind: state.position - end };
  }
  return { folded: 0, done: true, behind: 0 };
}

async function checkVersion(session: WriteSession, version: number): Promise<void> {
  const same = await session.run('update engine_state set version = version where name = ? and version = ?', ['events', version]);
  if (same.changes !== 1) throw new EngineConflict('derived data was reset meanwhile');
}

/** Clears a site's visits and roll-ups before it is folded anew from its first event. */
async function resetSite(store: Store, siteId: number, version: number): Promise<void> {
  await inTransaction(store, async (session) => {
    await checkVersion(session, version);
    for (const table of ['visits', 'rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_block_rows', 'rollup_blocks']) {
      await session.run(`delete from ${table} where site_id = ?`, [siteId]);
    }
    await session.run('update engine_rebuilds set position = 0 where site_id = ?', [siteId]);
  });
}

/**
 * Works out what folding `events` (ids up to `end`) changes: the visits
 * to write and the roll-ups' deltas. Reads only; `commit` writes.
 */
async function planChunk(store: Store, events: readonly EngineEvent[], zones: ReadonlyMap<number, string>, end: number): Promise<Plan> {
  const groups = new Map<string, VisitorDay>();
  const days = new LocalDays();
  for (const event of events) {
    const { day, start: dayStart, end: dayEnd } = days.of(event.ts, zones.get(event.site_id) as string);
    const visitor = visitorKey(event);
    const key = `${event.site_id} ${day} ${visitor}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { siteId: event.site_id, day, dayStart, dayEnd, visitor, events: [] };
      groups.set(key, group);
    }
    group.events.push(event);
  }
  const stored = await storedVisits(store, groups);
  const dropped = await droppedEngagement(store, groups, stored, end);
  const plan: Plan = {
    remove: [],
    update: [],
    insert: [],
    delta: { days: new Map(), hours: new Map(), rows: new Map(), touched: new Map() },
  };
  for (const [key, group] of groups) {
    const visits = stored.get(key) ?? [];
    const before = visitorShare(visits);
    group.events.sort((a, b) => a.ts - b.ts || a.id - b.id);
    const last = visits.at(-1);
    let after_: VisitState[];
    if (last === undefined ? !dropped.has(key) : (group.events[0] as ReportEvent).ts >= last.end) {
      // In order, as nearly always: the new events extend the last visit or start new ones.
      const snapshot = last === undefined ? undefined : childrenOf(last);
      const changed = foldVisits(visits, group.events, group.dayStart);
      for (const visit of changed) {
        if (visit === last && snapshot !== undefined) plan.update.push({ visit: last, before: snapshot });
        else plan.insert.push({ siteId: group.siteId, day: group.day, visit });
      }
      after_ = visits;
    } else {
      // An event older than the visitor's last: fold the visitor-day anew from its events.
      const all = group.visitor.startsWith('v')
        ? await readVisitorDay(store.db, group.siteId, visitorNumber(group.visitor), group.dayStart, group.dayEnd, end)
        : group.events;
      after_ = [];
      foldVisits(after_, all, group.dayStart);
      plan.remove.push(...visits.map((visit) => visit.id));
      for (const visit of after_) plan.insert.push({ siteId: group.siteId, day: group.day, visit });
    }
    addDelta(plan.delta, group.siteId, group.day, visitorShare(after_), 1);
    addDelta(plan.delta, group.siteId, group.day, before, -1);
  }
  return plan;
}

/**
 * The visitor-days in `groups` without stored visits that have folded
 * events all the same: engagement that came before any page view of its
 * visitor, and was dropped (aggregate.ts). A page view that arrives later
 * but happened earlier takes it in, so those visitor-days are folded anew.
 */
async function droppedEngagement(
  store: Store,
  groups: ReadonlyMap<string, VisitorDay>,
  stored: ReadonlyMap<string, StoredVisit[]>,
  end: number,
): Promise<Set<string>> {
  const bySite = new Map<number, VisitorDay[]>();
  for (const [key, group] of groups) {
    if (stored.has(key) || !group.visitor.startsWith('v') || group.events.every((e) => e.name === ENGAGEMENT)) continue;
    let list = bySite.get(group.siteId);
    if (list === undefined) {
      list = [];
      bySite.set(group.siteId, list);
    }
    list.push(group);
  }
  const found = new Set<string>();
  for (const [siteId, list] of bySite) {
    for (let start = 0; start < list.length; start += 500) {
      const some = list.slice(start, start + 500);
      const mine = new Set(some.flatMap((group) => group.events.map((e) => e.id)));
      const rows = await earlierEngagement(
        store.db,
        siteId,
        some.map((group) => visitorNumber(group.visitor)),
        Math.min(...some.map((group) => group.dayStart)),
        Math.max(...some.map((group) => group.dayEnd)),
        end,
      );
      for (const row of rows) {
        if (mine.has(row.id)) continue;
        for (const group of some) {
          if (visitorNumber(group.visitor) === row.visitor_id && row.ts >= group.dayStart && row.ts < group.dayEnd) {
            found.add(`${siteId} ${group.day} ${group.visitor}`);
          }
        }
      }
    }
  }
  return found;
}

/**
 * The local days of instants, remembered per zone: a chunk's events fall
 * on a day or two, and asking Intl for each one costs more than the fold.
 */
class LocalDays {
  private readonly known = new Map<string, Array<{ day: string; start: number; end: number }>>();

  of(ts: number, zone: string): { day: string; start: number; end: number } {
    let list = this.known.get(zone);
    if (list === undefined) {
      list = [];
      this.known.set(zone, list);
    }
    const hit = list.find((d) => ts >= d.start && ts < d.end);
    if (hit !== undefined) return hit;
    const day = localDay(ts, zone);
    const [start, end] = dayBounds(day, zone);
    const found = { day, start, end };
    list.push(found);
    return found;
  }
}

/** The stored visits of each visitor-day in `groups`, keyed as they are. */
async function storedVisits(store: Store, groups: ReadonlyMap<string, VisitorDay>): Promise<Map<string, StoredVisit[]>> {
  const bySite = new Map<number, { days: Set<string>; visitors: Set<number> }>();
  for (const group of groups.values()) {
    let site = bySite.get(group.siteId);
    if (site === undefined) {
      site = { days: new Set(), visitors: new Set() };
      bySite.set(group.siteId, site);
    }
    site.days.add(group.day);
    site.visitors.add(visitorNumber(group.visitor));
  }
  const found = new Map<string, StoredVisit[]>();
  for (const [siteId, { days, visitors }] of bySite) {
    const list = [...visitors];
    for (let start = 0; start < list.length; start += 500) {
      for (const visit of await loadVisits(store.db, siteId, [...days], list.slice(start, start + 500))) {
        const key = `${siteId} ${visit.day} ${visit.visitor}`;
        // Only the pairs asked for: a visitor of one day may be listed for another.
        if (!groups.has(key)) continue;
        const visits = found.get(key) ?? [];
        visits.push(visit);
        found.set(key, visits);
      }
    }
  }
  return found;
}

const SUMS = ['visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events'] as const;

function addDelta(delta: Delta, siteId: number, day: string, share: DaySums, sign: 1 | -1): void {
  const add = (sums: number[], values: readonly number[]) => {
    for (let i = 0; i < values.length; i++) sums[i] = (sums[i] ?? 0) + sign * (values[i] ?? 0);
  };
  delta.touched.set(`${siteId} ${day}`, { siteId, day });
  if (share.totals.visits !== 0 || share.totals.visitors !== 0) {
    const key = `${siteId} ${day}`;
    const entry = delta.days.get(key) ?? { site_id: siteId, day, sums: [] };
    add(
      entry.sums,
      SUMS.map((name) => share.totals[name]),
    );
    delta.days.set(key, entry);
  }
  for (const hour of share.hours) {
    const key = `${siteId} ${day} ${hour.hour}`;
    const entry = delta.hours.get(key) ?? { site_id: siteId, day, hour: hour.hour, sums: [] };
    add(entry.sums, [hour.visitors, hour.pageviews]);
    delta.hours.set(key, entry);
  }
  for (const row of share.rows) {
    const key = `${siteId} ${day} ${row.dimension}\u0000${row.value}`;
    const entry = delta.rows.get(key) ?? { site_id: siteId, dimension: row.dimension, day, value: row.value, sums: [] };
    add(entry.sums, [...SUMS.map((name) => row[name]), row.engaged_ms]);
    delta.rows.set(key, entry);
  }
}

const isZero = (sums: readonly number[]) => sums.every((n) => n === 0);

/** Writes a plan and runs `guard` first, all in one transaction. */
async function commit(store: Store, plan: Plan, guard: (session: WriteSession) => Promise<void>): Promise<void> {
  await inTransaction(store, async (session) => {
    await guard(session);
    for (const id of plan.remove) await session.run('delete from visits where id = ?', [id]);
    for (const { visit, before } of plan.update) {
      const row = visitRow(visit.siteId, visit.day, visit, bounced(visit));
      await session.run(`update visits set ${VISIT_COLUMNS.map((c) => `${c} = ?`).join(', ')} where id = ?`, [
        ...VISIT_COLUMNS.map((c) => row[c]),
        visit.id,
      ]);
      // Folding more events only adds children or raises their counts: write those.
      await writeChildren(session, visit.id, visit, before);
    }
    const insertVisit = `insert into visits (${VISIT_COLUMNS.join(', ')}) values (${VISIT_COLUMNS.map(() => '?').join(', ')}) returning id`;
    for (const { siteId, day, visit } of plan.insert) {
      const row = visitRow(siteId, day, visit, bounced(visit));
      const { rows } = await session.run(
        insertVisit,
        VISIT_COLUMNS.map((c) => row[c]),
      );
      await writeChildren(session, Number(rows[0]?.id), visit);
    }
    const { days, hours, rows, touched } = plan.delta;
    for (const { site_id, day, sums } of days.values()) {
      if (isZero(sums)) continue;
      await session.run(
        `insert into rollup_days (site_id, day, ${SUMS.join(', ')}) values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (site_id, day) do update set ${SUMS.map((c) => `${c} = rollup_days.${c} + excluded.${c}`).join(', ')}`,
        [site_id, day, ...sums],
      );
      await session.run('delete from rollup_days where site_id = ? and day = ? and visitors = 0 and visits = 0', [site_id, day]);
    }
    for (const { site_id, day, hour, sums } of hours.values()) {
      if (isZero(sums)) continue;
      await session.run(
        `insert into rollup_hours (site_id, day, hour, visitors, pageviews) values (?, ?, ?, ?, ?)
         on conflict (site_id, day, hour) do update set visitors = rollup_hours.visitors + excluded.visitors, pageviews = rollup_hours.pageviews + excluded.pageviews`,
        [site_id, day, hour, ...sums],
      );
      if ((sums[0] ?? 0) < 0)
        await session.run('delete from rollup_hours where site_id = ? and day = ? and hour = ? and visitors = 0', [site_id, day, hour]);
    }
    const rowSums = [...SUMS, 'engaged_ms'];
    for (const { site_id, dimension, day, value, sums } of rows.values()) {
      if (isZero(sums)) continue;
      await session.run(
        `insert into rollup_rows (site_id, dimension, day, value, ${rowSums.join(', ')}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (site_id, dimension, day, value) do update set ${rowSums.map((c) => `${c} = rollup_rows.${c} + excluded.${c}`).join(', ')}`,
        [site_id, dimension, day, value, ...sums],
      );
      if ((sums[0] ?? 0) < 0) {
        await session.run('delete from rollup_rows where site_id = ? and dimension = ? and day = ? and value = ? and visitors = 0', [
          site_id,
          dimension,
          day,
          value,
        ]);
      }
    }
    // The summed blocks that hold a changed day are summed again (see rollup-blocks.ts).
    for (const { siteId, day } of touched.values()) {
      const holding = blocksOf(day).map(blockKey);
      await session.run(`delete from rollup_blocks where site_id = ? and block in (${holding.map(() => '?').join(', ')})`, [
        siteId,
        ...holding,
      ]);
    }
  });
}

const NO_CHILDREN: Children = { pages: new Map(), named: new Map(), props: new Map(), hours: new Map() };

/** Writes the child rows of a visit that differ from `before` (all of them for a new visit). */
async function writeChildren(session: WriteSession, id: number, visit: VisitState, before = NO_CHILDREN): Promise<void> {
  for (const [page, { views, engaged }] of visit.pages) {
    if (before.pages.get(page) === `${views} ${engaged}`) continue;
    await session.run(
      'insert into visit_pages (visit_id, page, views, engaged_ms) values (?, ?, ?, ?) on conflict (visit_id, page) do update set views = excluded.views, engaged_ms = excluded.engaged_ms',
      [id, page, views, engaged],
    );
  }
  for (const [name, count] of visit.named) {
    if (before.named.get(name) === count) continue;
    await session.run(
      'insert into visit_events (visit_id, name, count) values (?, ?, ?) on conflict (visit_id, name) do update set count = excluded.count',
      [id, name, count],
    );
  }
  for (const [prop, count] of visit.props) {
    if (before.props.get(prop) === count) continue;
    await session.run(
      'insert into visit_props (visit_id, prop, count) values (?, ?, ?) on conflict (visit_id, prop) do update set count = excluded.count',
      [id, prop, count],
    );
  }
  for (const [hour, pageviews] of visit.hours) {
    if (before.hours.get(hour) === pageviews) continue;
    await session.run(
      'insert into visit_hours (visit_id, hour, pageviews) values (?, ?, ?) on conflict (visit_id, hour) do update set pageviews = excluded.pageviews',
      [id, hour, pageviews],
    );
  }
}

/**
 * Starts a site's visits and roll-ups anew, setting its time zone first
 * when given: the engine clears them and folds the site's events again
 * from the first. One transaction, so that a chunk folded in the old zone
 * cannot land after it (the engine checks the version this bumps).
 */
export async function rebuildSite(store: Store, siteId: number, timezone?: string): Promise<void> {
  await inTransaction(store, async (session) => {
    if (timezone !== undefined) await session.run('update sites set timezone = ? where id = ?', [timezone, siteId]);
    await session.run('update engine_state set version = version + 1 where name = ?', ['events']);
    await session.run('insert into engine_rebuilds (site_id, position) values (?, -1) on conflict (site_id) do update set position = -1', [
      siteId,
    ]);
  });
}

/** How far the engine is behind: committed events not yet folded, overall and per rebuilding site. */
export async function engineLag(store: Store): Promise<{ events: number; rebuilding: Set<number> }> {
  const state = await engineState(store.db);
  const top = await sql<{ id: number | null }>`select max(id) as id from events`.execute(store.db);
  const rebuilds = await store.db.selectFrom('engine_rebuilds').select('site_id').execute();
  return {
    events: Math.max(0, Number(top.rows[0]?.id ?? 0) - state.position),
    rebuilding: new Set(rebuilds.map((r) => Number(r.site_id))),
  };
}
