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
import type { DaySums, EventCondition, ReportEvent, Sums } from '../../collector/db/rollups.js';
import { ENGAGEMENT, PAGEVIEW } from '../../collector/parse.js';
import { HOUR_MS } from '../../collector/time.js';

/** The longest quiet gap inside one visit. */
export const VISIT_GAP_MS = 30 * 60_000;

/** Attributes of a visit, taken from its first event. */
export const VISIT_DIMENSIONS = [
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
  'device',
] as const;
export type VisitDimension = (typeof VISIT_DIMENSIONS)[number];

/** Every breakdown a report has. */
export const DIMENSIONS = [...VISIT_DIMENSIONS, 'page', 'entry_page', 'exit_page', 'event', 'prop'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

// A visit without one of these is listed as "(none)" only where that means
// something: direct traffic, an unknown country or browser.
const KEEP_NONE = new Set<Dimension>(['source', 'country', 'browser', 'browser_version', 'os', 'device']);

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

interface Visit {
  visitor: string;
  first: ReportEvent;
  events: ReportEvent[];
  pageviews: number;
  custom: number;
  duration: number;
  entry: string | undefined;
  exit: string | undefined;
  /** Per page: views and engaged time. */
  pages: Map<string, { views: number; engaged: number }>;
  /** Per custom event name: how many. */
  named: Map<string, number>;
}

function visitValue(visit: Visit, dimension: VisitDimension): string {
  if (dimension === 'browser_version') {
    const { browser, browser_version } = visit.first;
    return browser === null ? '' : browser_version === null ? browser : `${browser} ${browser_version}`;
  }
  return visit.first[dimension] ?? '';
}

function matches(visit: Visit, filters: readonly Filter[]): boolean {
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
        return visitValue(visit, dimension) === value;
    }
  });
}

function isCustom(name: string): boolean {
  return name !== PAGEVIEW && name !== ENGAGEMENT;
}

/** Splits one day's events into visits. Events must be sorted by visitor, then time. */
function visitsOf(events: readonly ReportEvent[]): Visit[] {
  const visits: Visit[] = [];
  // A day has far fewer URLs than events, and parsing one costs.
  const paths = new Map<string, string>();
  let current: Visit | undefined;
  let lastTs = 0;
  for (const event of events) {
    // Events without a visitor id (stored before ids existed) are each their own visitor.
    const visitor = event.visitor_id === null ? `e${event.id}` : `v${event.visitor_id}`;
    // Engaged time is reported when a page is left or hidden, however long
    // it was read: it belongs to the visit that viewed the page, and starts
    // none. Without one (the page was opened before midnight) it is dropped.
    const engagement = event.name === ENGAGEMENT;
    if (engagement && current?.visitor !== visitor) continue;
    if (current === undefined || current.visitor !== visitor || (!engagement && event.ts - lastTs > VISIT_GAP_MS)) {
      current = {
        visitor,
        first: event,
        events: [],
        pageviews: 0,
        custom: 0,
        duration: 0,
        entry: undefined,
        exit: undefined,
        pages: new Map(),
        named: new Map(),
      };
      visits.push(current);
    }
    lastTs = event.ts;
    current.events.push(event);
    let page = paths.get(event.url);
    if (page === undefined) {
      page = pagePath(event.url);
      paths.set(event.url, page);
    }
    if (event.name === PAGEVIEW) {
      current.pageviews++;
      current.entry ??= page;
      current.exit = page;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.views++;
      current.pages.set(page, seen);
    } else if (event.name === ENGAGEMENT) {
      const engaged = Math.max(0, event.engaged_ms ?? 0);
      current.duration += engaged;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.engaged += engaged;
      current.pages.set(page, seen);
    } else {
      current.custom++;
      current.named.set(event.name, (current.named.get(event.name) ?? 0) + 1);
    }
  }
  return visits;
}

class RowSums {
  readonly visitors = new Set<string>();
  visits = 0;
  pageviews = 0;
  bounces = 0;
  duration_ms = 0;
  events = 0;
  engaged_ms = 0;
}

const emptySums = (): Sums => ({ visitors: 0, visits: 0, pageviews: 0, bounces: 0, duration_ms: 0, events: 0 });

/**
 * The sums of one local day, optionally for the visits that match every
 * filter. `events` are the day's events sorted by visitor id, then time;
 * `dayStart` is the day's first instant. Without `detail`, only the
 * totals (hours and rows are left empty).
 */
export function sumDay(events: readonly ReportEvent[], dayStart: number, filters: readonly Filter[] = [], detail = true): DaySums {
  const rows = new Map<string, RowSums & { dimension: Dimension; value: string }>();
  const row = (dimension: Dimension, value: string) => {
    const key = `${dimension}\u0000${value}`;
    let sums = rows.get(key);
    if (sums === undefined) {
      sums = Object.assign(new RowSums(), { dimension, value });
      rows.set(key, sums);
    }
    return sums;
  };
  const totals = emptySums();
  const visitors = new Set<string>();
  const hours = new Map<number, { visitors: Set<string>; pageviews: number }>();

  for (const visit of visitsOf(events)) {
    if (!matches(visit, filters)) continue;
    const bounce = visit.pageviews === 1 && visit.custom === 0 ? 1 : 0;
    visitors.add(visit.visitor);
    totals.visits++;
    totals.pageviews += visit.pageviews;
    totals.bounces += bounce;
    totals.duration_ms += visit.duration;
    totals.events += visit.custom;
    if (!detail) continue;

    for (const event of visit.events) {
      // Hours count from the local midnight: in zones half an hour off UTC too.
      const hour = dayStart + Math.floor((event.ts - dayStart) / HOUR_MS) * HOUR_MS;
      let sums = hours.get(hour);
      if (sums === undefined) {
        sums = { visitors: new Set(), pageviews: 0 };
        hours.set(hour, sums);
      }
      sums.visitors.add(visit.visitor);
      if (event.name === PAGEVIEW) sums.pageviews++;
    }

    const addVisit = (sums: RowSums) => {
      sums.visitors.add(visit.visitor);
      sums.visits++;
      sums.pageviews += visit.pageviews;
      sums.bounces += bounce;
      sums.duration_ms += visit.duration;
      sums.events += visit.custom;
    };
    for (const dimension of VISIT_DIMENSIONS) {
      const value = visitValue(visit, dimension);
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
      sums.visitors.add(visit.visitor);
      sums.visits++;
      sums.pageviews += seen.views;
      sums.engaged_ms += seen.engaged;
    }
    for (const [name, count] of visit.named) {
      const sums = row('event', name);
      sums.visitors.add(visit.visitor);
      sums.visits++;
      sums.events += count;
    }
    for (const event of visit.events) {
      if (!isCustom(event.name) || event.props === null) continue;
      for (const [key, value] of Object.entries(parseProps(event.props))) {
        const sums = row('prop', JSON.stringify([event.name, key, value]));
        sums.visitors.add(visit.visitor);
        sums.events++;
      }
    }
  }
  totals.visitors = visitors.size;
  return {
    totals,
    hours: [...hours].sort(([a], [b]) => a - b).map(([hour, sums]) => ({ hour, visitors: sums.visitors.size, pageviews: sums.pageviews })),
    rows: [...rows.values()].map(({ dimension, value, visitors: seen, visits, pageviews, bounces, duration_ms, events, engaged_ms }) => ({
      dimension,
      value,
      visitors: seen.size,
      visits,
      pageviews,
      bounces,
      duration_ms,
      events,
      engaged_ms,
    })),
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
