/**
 * The report's definitions, in one place: what a visit, a bounce, a
 * visitor and a duration are. One local day of one site's events goes in;
 * its totals, hourly series and breakdown rows come out. The roll-ups
 * store exactly this for every day, and a filtered report computes it on
 * the fly, so both read the same numbers.
 *
 * - A visitor is one visitor id within one local day: ids come from a
 *   daily salt, so nobody can be followed across days, and a visitor on
 *   three days counts three times in a longer period.
 * - A visit is a visitor's events with no gap over 30 minutes; it ends at
 *   the end of the local day at the latest.
 * - A bounce is a visit with one page view and no custom event.
 * - Visit duration and time on page are the engaged time the tracker
 *   measured (visible milliseconds), not guesses between page views.
 */

import {
  addSums,
  type BreakdownRow,
  type DaySums,
  type EventCondition,
  type HourSums,
  type ReportEvent,
  zeroSums,
} from '../../core/db/rollups.js';
import { VISIT_ATTRIBUTES, type VisitAttributes } from '../../core/db/schema.js';
import type { VisitState } from '../../core/db/visits.js';
import { ENGAGEMENT, PAGEVIEW } from '../../core/event-names.js';
import { HOUR_MS } from '../../core/time.js';

/** The longest quiet gap inside one visit. */
export const VISIT_GAP_MS = 30 * 60_000;

/** Attributes of a visit, taken from its first event. */
export const VISIT_DIMENSIONS = VISIT_ATTRIBUTES;
export type VisitDimension = (typeof VISIT_DIMENSIONS)[number] & keyof VisitAttributes;

/** Every breakdown a report has. */
export const DIMENSIONS = [...VISIT_DIMENSIONS, 'page', 'entry_page', 'exit_page', 'event', 'prop'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * The breakdowns that list visits without the attribute as a row of their
 * own ("(none)"): only where that means something, such as direct traffic
 * or an unknown country or browser.
 */
export const KEEP_NONE: ReadonlySet<Dimension> = new Set<Dimension>(['source', 'country', 'browser', 'browser_version', 'os', 'device']);

/** A report filter: the rows of one breakdown the user clicked. */
export interface Filter {
  dimension: Exclude<Dimension, 'prop'>;
  value: string;
}

/**
 * What a visit that matches `filters` must have among its visitor's
 * events, so that a filtered report reads only those visitors' events.
 * A visit's attributes are its first event's, so the visitor has an event
 * with that value; a custom event is an event of that name. Page filters
 * give no condition: a stored URL need not contain its path as written
 * (`new URL` normalises it). browser_version joins two columns; none
 * either. The visits are still checked one by one (`matches`).
 */
export function narrowing(filters: readonly Filter[]): EventCondition[] {
  return filters.flatMap(({ dimension, value }): EventCondition[] => {
    if (dimension === 'event') return [{ column: 'name', value }];
    if (dimension === 'page' || dimension === 'entry_page' || dimension === 'exit_page' || dimension === 'browser_version') return [];
    return [{ column: dimension, value }];
  });
}

/** A page's path, as the page breakdowns list it: no origin, query or fragment. */
export function pagePath(url: string): string {
  if (url.startsWith('http://') || url.startsWith('https://')) {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  }
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** The key that tells a visitor's visits from others' within one day. */
export function visitorKey(event: Pick<ReportEvent, 'id' | 'visitor_id'>): string {
  return event.visitor_id === null ? `e${event.id}` : `v${event.visitor_id}`;
}

function attributesOf(event: ReportEvent): VisitAttributes {
  const { browser, browser_version } = event;
  return {
    source: event.source ?? '',
    utm_source: event.utm_source ?? '',
    utm_medium: event.utm_medium ?? '',
    utm_campaign: event.utm_campaign ?? '',
    utm_term: event.utm_term ?? '',
    utm_content: event.utm_content ?? '',
    country: event.country ?? '',
    region: event.region ?? '',
    city: event.city ?? '',
    browser: browser ?? '',
    browser_version: browser === null ? '' : browser_version === null ? browser : `${browser} ${browser_version}`,
    os: event.os ?? '',
    device: event.device ?? '',
  };
}

function matches(visit: VisitState, filters: readonly Filter[]): boolean {
  return filters.every(({ dimension, value }) => {
    switch (dimension) {
      case 'page':
        return (visit.pages.get(value)?.views ?? 0) > 0;
      case 'entry_page':
        return visit.entry === value;
      case 'exit_page':
        return visit.exit === value;
      case 'event':
        return visit.named.has(value);
      default:
        return visit.attributes[dimension] === value;
    }
  });
}

// A day has far fewer URLs than events, and parsing one costs.
const paths = new Map<string, string>();
function cachedPath(url: string): string {
  let page = paths.get(url);
  if (page === undefined) {
    if (paths.size >= 10_000) paths.clear();
    page = pagePath(url);
    paths.set(url, page);
  }
  return page;
}

/**
 * Folds one visitor's events of one local day into that visitor's visits
 * of the day, in place: the definition of a visit. `events` are sorted by
 * time, then id, and come after every event already folded into `visits`.
 * Returns the visits it changed or started.
 */
export function foldVisits(visits: VisitState[], events: readonly ReportEvent[], dayStart: number): Set<VisitState> {
  const changed = new Set<VisitState>();
  let current = visits.at(-1);
  for (const event of events) {
    // Engaged time is reported when a page is left or hidden, however long
    // it was read: it belongs to the visit that viewed the page, and starts
    // none. Without one (the page was opened before midnight) it is dropped.
    const engagement = event.name === ENGAGEMENT;
    if (engagement && current === undefined) continue;
    if (current === undefined || (!engagement && event.ts - current.end > VISIT_GAP_MS)) {
      current = {
        visitor: visitorKey(event),
        start: event.ts,
        end: event.ts,
        lastView: undefined,
        attributes: attributesOf(event),
        pageviews: 0,
        custom: 0,
        duration: 0,
        entry: undefined,
        exit: undefined,
        pages: new Map(),
        named: new Map(),
        props: new Map(),
        hours: new Map(),
      };
      visits.push(current);
    }
    changed.add(current);
    current.end = event.ts;
    const page = cachedPath(event.url);
    // Hours count from the local midnight: in zones half an hour off UTC too.
    const hour = dayStart + Math.floor((event.ts - dayStart) / HOUR_MS) * HOUR_MS;
    const pageviewsInHour = current.hours.get(hour) ?? 0;
    if (event.name === PAGEVIEW) {
      current.lastView = event.ts;
      current.hours.set(hour, pageviewsInHour + 1);
      current.pageviews++;
      current.entry ??= page;
      current.exit = page;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.views++;
      current.pages.set(page, seen);
      continue;
    }
    current.hours.set(hour, pageviewsInHour);
    if (engagement) {
      const engaged = Math.max(0, event.engaged_ms ?? 0);
      current.duration += engaged;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.engaged += engaged;
      current.pages.set(page, seen);
      continue;
    }
    current.custom++;
    current.named.set(event.name, (current.named.get(event.name) ?? 0) + 1);
    if (event.props === null) continue;
    for (const [key, value] of Object.entries(parseProps(event.props))) {
      const prop = JSON.stringify([event.name, key, value]);
      current.props.set(prop, (current.props.get(prop) ?? 0) + 1);
    }
  }
  return changed;
}

/** Whether a visit bounced: one page view and no custom event. */
export function bounced(visit: Pick<VisitState, 'pageviews' | 'custom'>): boolean {
  return visit.pageviews === 1 && visit.custom === 0;
}

/**
 * What one visitor's visits of one day add to the day's sums: its totals,
 * hours and breakdown rows, each counting the visitor once (visitors 0 or
 * 1). A day's sums are the sums of its visitors' shares, which is what
 * lets the engine add and take away one visitor at a time.
 */
export function visitorShare(visits: readonly VisitState[], detail = true): DaySums {
  const rows = new Map<string, BreakdownRow>();
  const row = (dimension: Dimension, value: string) => {
    const key = `${dimension}\u0000${value}`;
    let sums = rows.get(key);
    if (sums === undefined) {
      // The visitor counts once per row, however many of its visits are in it.
      sums = { dimension, value, ...zeroSums(), visitors: 1, engaged_ms: 0 };
      rows.set(key, sums);
    }
    return sums;
  };
  const totals = zeroSums();
  const hours = new Map<number, HourSums>();
  for (const visit of visits) {
    const bounce = bounced(visit) ? 1 : 0;
    totals.visitors = 1;
    totals.visits++;
    totals.pageviews += visit.pageviews;
    totals.bounces += bounce;
    totals.duration_ms += visit.duration;
    totals.events += visit.custom;
    if (!detail) continue;
    for (const [hour, pageviews] of visit.hours) {
      const sums = hours.get(hour) ?? { hour, visitors: 1, pageviews: 0 };
      sums.pageviews += pageviews;
      hours.set(hour, sums);
    }
    const addVisit = (sums: BreakdownRow) => {
      sums.visits++;
      sums.pageviews += visit.pageviews;
      sums.bounces += bounce;
      sums.duration_ms += visit.duration;
      sums.events += visit.custom;
    };
    for (const dimension of VISIT_DIMENSIONS) {
      const value = visit.attributes[dimension];
      if (value !== '' || KEEP_NONE.has(dimension)) addVisit(row(dimension, value));
    }
    if (visit.entry !== undefined) addVisit(row('entry_page', visit.entry));
    if (visit.exit !== undefined) {
      const exit = row('exit_page', visit.exit);
      addVisit(exit);
      exit.engaged_ms += visit.pages.get(visit.exit)?.engaged ?? 0;
    }
    for (const [page, seen] of visit.pages) {
      // Engagement without a view of its page (sent after midnight, say) is no page visit.
      if (seen.views === 0) continue;
      const sums = row('page', page);
      sums.visits++;
      sums.pageviews += seen.views;
      sums.engaged_ms += seen.engaged;
    }
    for (const [name, count] of visit.named) {
      const sums = row('event', name);
      sums.visits++;
      sums.events += count;
    }
    for (const [prop, count] of visit.props) row('prop', prop).events += count;
  }
  return { totals, hours: [...hours.values()], rows: [...rows.values()] };
}

/**
 * The sums of one local day, optionally for the visits that match every
 * filter: the reference that the engine's tables must equal. `events` are
 * the day's events sorted by visitor id, then time; `dayStart` is the
 * day's first instant. Without `detail`, only the totals (hours and rows
 * are left empty).
 */
export function sumDay(events: readonly ReportEvent[], dayStart: number, filters: readonly Filter[] = [], detail = true): DaySums {
  const totals = zeroSums();
  const hours = new Map<number, HourSums>();
  const rows = new Map<string, BreakdownRow>();
  const addShare = (visitorEvents: readonly ReportEvent[]) => {
    const visits: VisitState[] = [];
    foldVisits(visits, visitorEvents, dayStart);
    const share = visitorShare(
      visits.filter((visit) => matches(visit, filters)),
      detail,
    );
    addSums(totals, share.totals);
    for (const hour of share.hours) {
      const sums = hours.get(hour.hour) ?? { hour: hour.hour, visitors: 0, pageviews: 0 };
      sums.visitors += hour.visitors;
      sums.pageviews += hour.pageviews;
      hours.set(hour.hour, sums);
    }
    for (const row of share.rows) {
      const key = `${row.dimension}\u0000${row.value}`;
      const sums = rows.get(key);
      if (sums === undefined) rows.set(key, { ...row });
      else {
        addSums(sums, row);
        sums.engaged_ms += row.engaged_ms;
      }
    }
  };
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && visitorKey(events[i] as ReportEvent) === visitorKey(events[start] as ReportEvent)) continue;
    addShare(events.slice(start, i));
    start = i;
  }
  return {
    totals,
    hours: [...hours.values()].sort((a, b) => a.hour - b.hour),
    rows: [...rows.values()],
  };
}

function parseProps(text: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const props: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) props[key] = String(value);
    return props;
  } catch {
    return {};
  }
}
