/**
 * What the engine reads of the visitor-days a chunk touches, beyond the
 * chunk's own events: their stored visits, the engagement it dropped for
 * them, and, for those folded anew, all their events. Each read asks for
 * a few hundred visitors at a time.
 */

import type { Store } from '../../core/db/connect.js';
import { droppedEngagementOf } from '../../core/db/engine-state.js';
import { type ReportEvent, readVisitorDays } from '../../core/db/report-events.js';
import { loadVisits, type StoredVisit, visitorNumber } from '../../core/db/visits.js';
import { ENGAGEMENT } from '../../core/event-names.js';

/** One visitor's new events of one local day of one site, keyed `site day visitor`. */
export interface VisitorDay {
  siteId: number;
  day: string;
  dayStart: number;
  dayEnd: number;
  /** As visit-fold.ts's `visitorKey`. */
  visitor: string;
  events: ReportEvent[];
}

/**
 * Every event with an id up to `end` of each visitor-day in `groups`, by
 * time then id, keyed as the groups are. One read per site and day.
 */
export async function visitorDayEvents(store: Store, groups: readonly VisitorDay[], end: number): Promise<Map<string, ReportEvent[]>> {
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

/** The stored visits of each visitor-day in `groups`, keyed as they are. */
export async function storedVisits(store: Store, groups: ReadonlyMap<string, VisitorDay>): Promise<Map<string, StoredVisit[]>> {
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

/**
 * The visitor-days in `groups` without stored visits that have folded
 * events all the same: engagement that came before any page view of its
 * visitor, and was dropped (visit-fold.ts). A page view that arrives later
 * but happened earlier takes it in, so those visitor-days are folded anew.
 */
export async function droppedEngagement(
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
