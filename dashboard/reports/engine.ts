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
import type { Store } from '../../core/db/connect.js';
import { committedHorizon } from '../../core/db/horizon.js';
import { blockKey, blocksOf, type DaySums, type ReportEvent } from '../../core/db/rollups.js';
import {
  droppedEngagementOf,
  type EngineEvent,
  engineState,
  inTransaction,
  loadVisits,
  readEventsAfter,
  readVisitorDays,
  runBatched,
  type StoredVisit,
  VISIT_COLUMNS,
  VISIT_GROWING_COLUMNS,
  type VisitState,
  visitorNumber,
  visitRow,
  type WriteSession,
} from '../../core/db/visits.js';
import { ENGAGEMENT } from '../../core/event-names.js';
import { bounced, foldVisits, visitorKey, visitorShare } from './aggregate.js';
import { dayBounds, localDay } from './zone.js';

/**
 * A backlog of more unfolded events than this (a minute of heavy traffic) is
 * a catch-up, as after a fresh install of a large store: the report says
 * so, and the engine's thread gives way to ingest until it is done.
 */
export const CATCHING_UP_EVENTS = 50_000;

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
type Delta = Map<string, DayDelta>;

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
  /** Each visitor-day's visits once the plan is written. */
  visitorDays: Map<string, VisitState[]>;
  /** Visits that new events extended, with their child rows before. */
  update: Array<{ visit: StoredVisit; before: Children }>;
  insert: Array<{ siteId: number; day: string; visit: VisitState }>;
  /** Engagement folded and dropped, as no visit of its visitor-day has begun: site, visitor, time. */
  dropped: Array<[number, number, number]>;
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
    const recent = recentFor(store, state);
    const plan = await planChunk(store, mine, zones, end, recent);
    try {
      await commit(store, plan, async (session) => {
        const moved = await session.run('update engine_state set position = ? where name = ? and position = ? and version = ?', [
          end,
          'events',
          state.position,
          state.version,
        ]);
        if (moved.changes !== 1) throw new EngineConflict('the engine state moved meanwhile');
      });
    } catch (error) {
      // The plan changed the remembered visits in place: they are not what is stored.
      recent.clear();
      throw error;
    }
    recent.committed(plan, end);
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
    for (const table of ['visits', 'engine_dropped', 'rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_block_rows', 'rollup_blocks']) {
      await session.run(`delete from ${table} where site_id = ?`, [siteId]);
    }
    await session.run('update engine_rebuilds set position = 0 where site_id = ?', [siteId]);
  });
}

/**
 * Works out what folding `events` (ids up to `end`) changes: the visits
 * to write and the roll-ups' deltas. Reads only; `commit` writes.
 */
async function planChunk(
  store: Store,
  events: readonly EngineEvent[],
  zones: ReadonlyMap<number, string>,
  end: number,
  recent?: RecentVisitorDays,
): Promise<Plan> {
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
  // What this engine committed lately needs no reading; the rest is read.
  const stored = new Map<string, StoredVisit[]>();
  const dropped = new Set<string>();
  const unknown = new Map<string, VisitorDay>();
  for (const [key, group] of groups) {
    const known = recent?.get(key);
    if (known === undefined) unknown.set(key, group);
    else if (known.visits.length > 0) stored.set(key, known.visits);
    else if (known.dropped) dropped.add(key);
  }
  const read = await storedVisits(store, unknown);
  for (const [key, visits] of read) stored.set(key, visits);
  for (const key of await droppedEngagement(store, unknown, read)) dropped.add(key);
  const plan: Plan = {
    visitorDays: new Map(),
    remove: [],
    update: [],
    insert: [],
    dropped: [],
    delta: new Map(),
  };
  // An event older than the visitor's last: the visitor-day is folded anew from its events.
  const anew: VisitorDay[] = [];
  for (const [key, group] of groups) {
    group.events.sort((a, b) => a.ts - b.ts || a.id - b.id);
    const last = stored.get(key)?.at(-1);
    if (last === undefined ? dropped.has(key) : (group.events[0] as ReportEvent).ts < last.end) anew.push(group);
  }
  const eventsOf = await visitorDayEvents(store, anew, end);
  for (const [key, group] of groups) {
    const visits = stored.get(key) ?? [];
    const before = visitorShare(visits);
    const all = eventsOf.get(key);
    let after_: VisitState[];
    if (all === undefined) {
      // In order, as nearly always: the new events extend the last visit or start new ones.
      const last = visits.at(-1);
      const snapshot = last === undefined ? undefined : childrenOf(last);
      const changed = foldVisits(visits, group.events, group.dayStart);
      for (const visit of changed) {
        if (visit === last && snapshot !== undefined) plan.update.push({ visit: last, before: snapshot });
        else plan.insert.push({ siteId: group.siteId, day: group.day, visit });
      }
      after_ = visits;
    } else {
      after_ = [];
      foldVisits(after_, all, group.dayStart);
      plan.remove.push(...visits.map((visit) => visit.id));
      for (const visit of after_) plan.insert.push({ siteId: group.siteId, day: group.day, visit });
    }
    // No visit: every event was engagement, dropped. A visitor without an id has no later events.
    if (after_.length === 0 && group.visitor.startsWith('v')) {
      const visitor = visitorNumber(group.visitor);
      for (const event of all ?? group.events) plan.dropped.push([group.siteId, visitor, event.ts]);
    }
    plan.visitorDays.set(key, after_);
    addDelta(plan.delta, group.siteId, group.day, visitorShare(after_), 1);
    addDelta(plan.delta, group.siteId, group.day, before, -1);
  }
  return plan;
}

/**
 * Every event with an id up to `end` of each visitor-day in `groups`, by
 * time then id, keyed as the groups are. One read per site and day.
 */
async function visitorDayEvents(store: Store, groups: readonly VisitorDay[], end: number): Promise<Map<string, ReportEvent[]>> {
  const found = new Map<string, ReportEvent[]>();
  const byDay = new Map<string, VisitorDay[]>();
  for (const group of groups) {
    // Without an id, the visitor is one event: the chunk's.
    if (!group.visitor.startsWith('v')) {
      found.set(`${group.siteId} ${group.day} ${group.visitor}`, group.events);
      continue;
    }
    listIn(byDay, `${group.siteId} ${group.day}`).push(group);
  }
  for (const list of byDay.values()) {
    const { siteId, day, dayStart, dayEnd } = list[0] as VisitorDay;
    for (let start = 0; start < list.length; start += 500) {
      const visitors = list.slice(start, start + 500).map((group) => visitorNumber(group.visitor));
      for (const event of await readVisitorDays(store.db, siteId, visitors, dayStart, dayEnd, end)) {
        listIn(found, `${siteId} ${day} v${event.visitor_id}`).push(event);
      }
    }
  }
  return found;
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
): Promise<Set<string>> {
  const bySite = new Map<number, VisitorDay[]>();
  for (const [key, group] of groups) {
    if (stored.has(key) || !group.visitor.startsWith('v') || group.events.every((e) => e.name === ENGAGEMENT)) continue;
    listIn(bySite, group.siteId).push(group);
  }
  const found = new Set<string>();
  for (const [siteId, list] of bySite) {
    for (let start = 0; start < list.length; start += 500) {
      const some = list.slice(start, start + 500);
      const rows = await droppedEngagementOf(
        store.db,
        siteId,
        some.map((group) => visitorNumber(group.visitor)),
        Math.min(...some.map((group) => group.dayStart)),
        Math.max(...some.map((group) => group.dayEnd)),
      );
      for (const row of rows) {
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

/** The list at `key`, made empty first when there is none. */
function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
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

/**
 * The visitor-days this engine folded lately, as it committed them: most
 * events continue a visit that the chunk before touched, and reading it
 * again costs more than folding. Valid only at the position and version it
 * was committed at; anything else (another engine, a reset, a failed
 * commit) empties it.
 */
class RecentVisitorDays {
  private readonly entries = new Map<string, { visits: StoredVisit[]; dropped: boolean }>();
  position = -1;
  version = -1;

  constructor(private readonly capacity: number) {}

  get(key: string): { visits: StoredVisit[]; dropped: boolean } | undefined {
    return this.entries.get(key);
  }

  clear(): void {
    this.entries.clear();
    this.position = -1;
  }

  /** Remembers a plan's visitor-days once it is written, the latest last (the first to go are the oldest). */
  committed(plan: Plan, position: number): void {
    for (const [key, visits] of plan.visitorDays) {
      this.entries.delete(key);
      // Only engagement so far, all of it dropped: the visitor-day has folded events but no visits.
      this.entries.set(key, { visits: visits as StoredVisit[], dropped: visits.length === 0 });
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
    }
    this.position = position;
  }
}

const recentByStore = new WeakMap<Store, RecentVisitorDays>();
// Visitor-days remembered: about the visitors of the last few minutes of a busy site.
const RECENT_VISITOR_DAYS = 10_000;

function recentFor(store: Store, state: { position: number; version: number }): RecentVisitorDays {
  let recent = recentByStore.get(store);
  if (recent === undefined) {
    recent = new RecentVisitorDays(RECENT_VISITOR_DAYS);
    recentByStore.set(store, recent);
  }
  if (recent.position !== state.position || recent.version !== state.version) {
    recent.clear();
    recent.position = state.position;
    recent.version = state.version;
  }
  return recent;
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
        listIn(found, key).push(visit);
      }
    }
  }
  return found;
}

const SUMS = ['visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events'] as const;

// Called twice for each visitor-day a chunk touches, so it allocates little.
function addDelta(delta: Delta, siteId: number, day: string, share: DaySums, sign: 1 | -1): void {
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

/** Writes a plan and runs `guard` first, all in one transaction. */
async function commit(store: Store, plan: Plan, guard: (session: WriteSession) => Promise<void>): Promise<void> {
  await inTransaction(store, async (session) => {
    await guard(session);
    await runBatched(
      session,
      'delete from visits where id in (',
      '?',
      ')',
      plan.remove.map((id) => [id]),
    );
    // Extended visits are upserts on their id: one statement for many rows.
    const columns = VISIT_COLUMNS.join(', ');
    const tuple = `(${VISIT_COLUMNS.map(() => '?').join(', ')})`;
    await runBatched(
      session,
      `insert into visits (id, ${columns}) values`,
      `(?, ${tuple.slice(1)}`,
      `on conflict (id) do update set ${VISIT_GROWING_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      plan.update.map(({ visit }) => {
        const row = visitRow(visit.siteId, visit.day, visit, bounced(visit));
        return [visit.id, ...VISIT_COLUMNS.map((c) => row[c])];
      }),
    );
    await runBatched(
      session,
      'insert into engine_dropped (site_id, visitor_id, ts) values',
      '(?, ?, ?)',
      'on conflict do nothing',
      plan.dropped,
    );
    const children = emptyChildRows();
    // Folding more events only adds children or raises their counts: write those.
    for (const { visit, before } of plan.update) addChildRows(children, visit.id, visit, before);
    const inserted = await runBatched(
      session,
      `insert into visits (${columns}) values`,
      tuple,
      'returning id, site_id, day, visitor, start_ts',
      plan.insert.map(({ siteId, day, visit }) => {
        const row = visitRow(siteId, day, visit, bounced(visit));
        return VISIT_COLUMNS.map((c) => row[c]);
      }),
    );
    // A visit is known by its site, day, visitor and start: a visitor's visits of a day start apart.
    const ids = new Map(inserted.map((r) => [`${r.site_id} ${r.day} ${r.visitor} ${r.start_ts}`, Number(r.id)]));
    for (const { siteId, day, visit } of plan.insert) {
      const id = ids.get(`${siteId} ${day} ${visitorNumber(visit.visitor)} ${visit.start}`);
      if (id === undefined) throw new Error('an inserted visit came back without its id');
      addChildRows(children, id, visit, NO_CHILDREN);
      Object.assign(visit, { id, siteId, day });
    }
    await runBatched(
      session,
      'insert into visit_pages (visit_id, page, views, engaged_ms) values',
      '(?, ?, ?, ?)',
      'on conflict (visit_id, page) do update set views = excluded.views, engaged_ms = excluded.engaged_ms',
      children.pages,
    );
    await runBatched(
      session,
      'insert into visit_events (visit_id, name, count) values',
      '(?, ?, ?)',
      'on conflict (visit_id, name) do update set count = excluded.count',
      children.named,
    );
    await runBatched(
      session,
      'insert into visit_props (visit_id, prop, count) values',
      '(?, ?, ?)',
      'on conflict (visit_id, prop) do update set count = excluded.count',
      children.props,
    );
    await runBatched(
      session,
      'insert into visit_hours (visit_id, hour, pageviews) values',
      '(?, ?, ?)',
      'on conflict (visit_id, hour) do update set pageviews = excluded.pageviews',
      children.hours,
    );

    const buckets = [...plan.delta.values()];
    const changed = <T extends { sums: number[] }>(entries: T[]) => entries.filter((entry) => !isZero(entry.sums));
    // Rows whose visitors went down may have gone to nothing: those go.
    const fewer = <T extends { sums: number[] }>(entries: T[]) => entries.filter((entry) => (entry.sums[0] ?? 0) < 0);
    const days = buckets.map(({ siteId, day, totals }) => ({ site_id: siteId, day, sums: totals }));
    const hours = buckets.flatMap(({ siteId, day, hours }) => [...hours].map(([hour, sums]) => ({ site_id: siteId, day, hour, sums })));
    const rows = buckets.flatMap(({ siteId, day, rows }) => [...rows.values()].map((row) => ({ site_id: siteId, day, ...row })));
    const dayRows = changed(days);
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
    const hourRows = changed(hours);
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
    const rowSums = [...SUMS, 'engaged_ms'];
    const breakdownRows = changed(rows);
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
    // The summed blocks that hold a changed day are summed again (see rollups.ts).
    await runBatched(
      session,
      'delete from rollup_blocks where (site_id, block) in (values',
      '(cast(? as bigint), ?)',
      ')',
      buckets.flatMap(({ siteId, day }) => blocksOf(day).map((block) => [siteId, blockKey(block)])),
    );
  });
}

const NO_CHILDREN: Children = { pages: new Map(), named: new Map(), props: new Map(), hours: new Map() };

/** Child rows to write, per table, as statement parameters. */
interface ChildRows {
  pages: unknown[][];
  named: unknown[][];
  props: unknown[][];
  hours: unknown[][];
}

const emptyChildRows = (): ChildRows => ({ pages: [], named: [], props: [], hours: [] });

/** Adds the child rows of a visit that differ from `before` (all of them for a new visit). */
function addChildRows(rows: ChildRows, id: number, visit: VisitState, before: Children): void {
  for (const [page, { views, engaged }] of visit.pages) {
    if (before.pages.get(page) !== `${views} ${engaged}`) rows.pages.push([id, page, views, engaged]);
  }
  for (const [name, count] of visit.named) if (before.named.get(name) !== count) rows.named.push([id, name, count]);
  for (const [prop, count] of visit.props) if (before.props.get(prop) !== count) rows.props.push([id, prop, count]);
  for (const [hour, pageviews] of visit.hours) if (before.hours.get(hour) !== pageviews) rows.hours.push([id, hour, pageviews]);
}

/**
 * Starts a site's visits and roll-ups anew, setting its time zone first
 * when given: the engine clears them and folds the site's events again
 * from the first. One transaction, so that a chunk folded in the old zone
 * cannot land after it (the engine checks the version this bumps).
 */
export async function rebuildSite(store: Store, siteId: number, timezone?: string): Promise<void> {
  const statements: Array<[string, unknown[]]> = [
    ['update engine_state set version = version + 1 where name = ?', ['events']],
    ['insert into engine_rebuilds (site_id, position) values (?, -1) on conflict (site_id) do update set position = -1', [siteId]],
  ];
  if (timezone !== undefined) statements.unshift(['update sites set timezone = ? where id = ?', [timezone, siteId]]);
  const sqlite = store.sqlite;
  if (sqlite !== undefined) {
    // The dashboard's connection is the collector's too: one synchronous
    // transaction, so that no batch of events can run inside it.
    sqlite
      .transaction(() => {
        for (const [text, params] of statements) sqlite.prepare(text).run(...params);
      })
      .immediate();
    return;
  }
  await inTransaction(store, async (session) => {
    for (const [text, params] of statements) await session.run(text, params);
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
