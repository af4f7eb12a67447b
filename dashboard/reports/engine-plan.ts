/**
 * Plans one chunk of the engine: groups its events by visitor-day, loads
 * what is stored of those (engine-reads.ts, or the visitor-days it folded
 * lately), folds the events into their visits (visit-fold.ts), and works
 * out the visits to write and the roll-ups' delta. Reads only;
 * engine-commit.ts writes.
 */
import type { Store } from '../../core/db/connect.js';
import type { EngineEvent, ReportEvent } from '../../core/db/report-events.js';
import { type StoredVisit, type VisitState, visitorNumber } from '../../core/db/visits.js';
import { visitorShare } from './aggregate.js';
import { addDelta, type Delta } from './day-delta.js';
import { droppedEngagement, storedVisits, type VisitorDay, visitorDayEvents } from './engine-reads.js';
import type { RecentVisitorDays } from './engine-recent.js';
import { type Children, childrenOf } from './visit-children.js';
import { foldVisits, visitorKey } from './visit-fold.js';
import { LocalDays } from './zone.js';

/** What a chunk changes: the visits to write, and the roll-ups' delta. */
export interface Plan {
  /** Stored visits of visitor-days folded anew. */
  remove: number[];
  /** Each visitor-day's visits once the plan is written. */
  visitorDays: Map<string, VisitState[]>;
  /** Visits that new events extended, with their child rows before. */
  update: Array<{ visit: StoredVisit; before: Children }>;
  /** Visits to store: new ones, and those of visitor-days folded anew. */
  insert: Array<{ siteId: number; day: string; visit: VisitState }>;
  /** Engagement folded and dropped, as no visit of its visitor-day has begun: site, visitor, time. */
  dropped: Array<[number, number, number]>;
  delta: Delta;
}

/**
 * Works out what folding `events` (ids up to `end`) changes: the visits
 * to write and the roll-ups' deltas. Reads only; `commit` writes.
 */
export async function planChunk(
  store: Store,
  events: readonly EngineEvent[],
  zones: ReadonlyMap<number, string>,
  end: number,
  recent?: RecentVisitorDays,
): Promise<Plan> {
  const groups = byVisitorDay(events, zones);
  const { stored, dropped } = await knownVisitorDays(store, groups, recent);
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
    const last = stored.get(key)?.at(-1);
    if (last === undefined ? dropped.has(key) : (group.events[0] as ReportEvent).ts < last.end) anew.push(group);
  }
  const eventsOf = await visitorDayEvents(store, anew, end);
  for (const [key, group] of groups) planVisitorDay(plan, key, group, stored.get(key) ?? [], eventsOf.get(key));
  return plan;
}

/** The chunk's events by visitor-day (`site day visitor`), each one's sorted by time, then id. */
function byVisitorDay(events: readonly EngineEvent[], zones: ReadonlyMap<number, string>): Map<string, VisitorDay> {
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
  for (const group of groups.values()) group.events.sort((a, b) => a.ts - b.ts || a.id - b.id);
  return groups;
}

/**
 * What is stored of each visitor-day: its visits, and whether engagement
 * of it was dropped. What this engine committed lately needs no reading;
 * the rest is read.
 */
async function knownVisitorDays(
  store: Store,
  groups: ReadonlyMap<string, VisitorDay>,
  recent: RecentVisitorDays | undefined,
): Promise<{ stored: Map<string, StoredVisit[]>; dropped: Set<string> }> {
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
  return { stored, dropped };
}

/**
 * Adds one visitor-day to the plan: its new events folded into its stored
 * `visits`, or, given `all` its events, its visits folded anew from them.
 */
function planVisitorDay(plan: Plan, key: string, group: VisitorDay, visits: StoredVisit[], all: ReportEvent[] | undefined): void {
  const before = visitorShare(visits);
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
